import { once } from 'node:events';
import http from 'node:http';
import { WebSocket } from 'ws';
import type { DomainEvent } from '../../src/events/bus.js';

/** Items that arrive one by one, awaited in order, with a deadline so a missing one fails the test. */
export function queue<T>() {
  const items: T[] = [];
  const waiting: ((item: T) => void)[] = [];
  return {
    push(item: T) {
      const resolve = waiting.shift();
      if (resolve) resolve(item);
      else items.push(item);
    },
    next(timeoutMs = 60_000): Promise<T> {
      const item = items.shift();
      if (item !== undefined) return Promise.resolve(item);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(deliver), 1);
          reject(new Error('nothing arrived in time'));
        }, timeoutMs);
        const deliver = (value: T) => {
          clearTimeout(timer);
          resolve(value);
        };
        waiting.push(deliver);
      });
    },
    get size() {
      return items.length;
    },
  };
}

export interface ServerSentEvent {
  id: string;
  event: string;
  data: DomainEvent;
}

/** A real HTTP event-stream client: resolves once the stream is open (its first comment arrived). */
export async function openEventStream(baseUrl: string, path: string, headers: Record<string, string>) {
  const received = queue<ServerSentEvent>();
  const request = http.get(`${baseUrl}${path}`, { headers: { accept: 'text/event-stream', ...headers } });
  const [response] = (await once(request, 'response')) as [http.IncomingMessage];
  let buffer = '';
  const opened = new Promise<void>((resolve) => {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith(':')) {
          resolve();
          continue;
        }
        const fields = Object.fromEntries(
          block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
        );
        received.push({ id: fields.id!, event: fields.event!, data: JSON.parse(fields.data!) as DomainEvent });
      }
    });
  });
  if (response.statusCode === 200) await opened;
  return { response, received, close: () => request.destroy() };
}

export type Message = Record<string, unknown>;

/** A real WebSocket client whose JSON messages queue up, with its close code and reason. */
export function connectWebSocket(url: string, protocols: string[] = [], headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, protocols, { headers });
  const messages = queue<Message>();
  socket.on('message', (raw) => messages.push(JSON.parse((raw as Buffer).toString('utf8')) as Message));
  const opened = once(socket, 'open');
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { socket, messages, opened, closed, send: (message: unknown) => socket.send(JSON.stringify(message)) };
}

/** Reads messages until one satisfies `done`; answers all of them, that one last. */
export async function readUntil(
  client: { messages: { next(timeoutMs?: number): Promise<Message> } },
  done: (message: Message) => boolean,
  timeoutMs = 60_000,
): Promise<Message[]> {
  const seen: Message[] = [];
  for (;;) {
    const message = await client.messages.next(timeoutMs);
    seen.push(message);
    if (done(message)) return seen;
  }
}
