import { useEffect, useSyncExternalStore } from 'react';
import { currentAccessToken, refreshAccessToken } from './client';
import type { EventEnvelope } from './types';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'off';

type Listener = (event: EventEnvelope) => void;

export function webSocketUrl(path: string): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${path}`;
}

/**
 * The one WebSocket to /ws that the dashboard keeps while signed in (docs/events.md). It authenticates with
 * a first `auth` message (browsers cannot set headers on a WebSocket), subscribes to the topics the
 * caller may read, and reconnects after a lost connection, with a fresh access token when the server
 * closed it for its credential (1008, 4401). The feed does not replay: pages refetch what they show when
 * the connection comes back.
 */
class LiveConnection {
  private socket: WebSocket | undefined;
  private state: LiveState = 'off';
  private readonly stateListeners = new Set<() => void>();
  private readonly eventListeners = new Set<Listener>();
  private topics: string[] = [];
  private retries = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wanted = false;

  getState = (): LiveState => this.state;

  subscribeState = (listener: () => void): (() => void) => {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  };

  onEvent(listener: Listener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  start(topics: string[]): void {
    this.topics = topics;
    this.wanted = true;
    if (!this.socket) this.connect();
  }

  stop(): void {
    this.wanted = false;
    clearTimeout(this.timer);
    this.socket?.close(1000, 'signed out');
    this.socket = undefined;
    this.setState('off');
  }

  private setState(state: LiveState) {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener();
  }

  private connect() {
    const token = currentAccessToken();
    if (!token) {
      this.scheduleReconnect(true);
      return;
    }
    this.setState(this.retries === 0 ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(webSocketUrl('/ws'));
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: 'auth', token }));
    socket.onmessage = (message) => {
      const data = JSON.parse(String(message.data)) as { type: string; topic?: string };
      if (data.type === 'authenticated') {
        socket.send(JSON.stringify({ type: 'subscribe', topics: this.topics }));
      } else if (data.type === 'subscribed') {
        const reconnected = this.retries > 0;
        this.retries = 0;
        this.setState('live');
        // Whatever changed while the connection was down is fetched again.
        if (reconnected)
          this.emit({ id: '', type: 'live.reconnected', topic: '*', data: {}, timestamp: new Date().toISOString() });
      } else if (data.topic !== undefined) {
        this.emit(data as EventEnvelope);
      }
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (!this.wanted) return;
      this.scheduleReconnect(event.code === 1008 || event.code === 4401);
    };
  }

  private emit(event: EventEnvelope) {
    for (const listener of this.eventListeners) listener(event);
  }

  private scheduleReconnect(credentialRefused: boolean) {
    this.retries += 1;
    this.setState('reconnecting');
    const delay = Math.min(10_000, 500 * 2 ** Math.min(this.retries - 1, 5));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.wanted) return;
      if (credentialRefused) {
        void refreshAccessToken().then(() => this.wanted && this.connect());
      } else {
        this.connect();
      }
    }, delay);
  }
}

export const live = new LiveConnection();

export function useLiveState(): LiveState {
  return useSyncExternalStore(live.subscribeState, live.getState);
}

/** Calls `listener` for every live event while the component is mounted. */
export function useLiveEvents(listener: Listener): void {
  useEffect(() => live.onEvent(listener), [listener]);
}
