import type { Orm } from '../db/database.js';
import type { DomainEvent, EventBus } from '../events/bus.js';
import type { Principal } from './principal.js';
import { revokedAmong } from './revoked-credential-queries.js';
import { sessionsRevokedSince } from './refresh-token-store.js';

/**
 * The topic revocations travel on. No client may subscribe to it (it is not in events/topics.ts), so it
 * only reaches the processes' own subscribers.
 */
export const CREDENTIALS_TOPIC = 'credentials';
export const CREDENTIAL_REVOKED = 'credential.revoked';

/** What stopped working: an API key, everything of a user (disabled), or sign-ins (sessions). */
export interface Revocation {
  readonly apiKeyId?: string | undefined;
  readonly userId?: string | undefined;
  readonly sessionIds?: readonly string[] | undefined;
}

export interface Revocations {
  /** Loads the recently revoked sessions and starts hearing revocations (this process's and the others'). */
  start(): Promise<void>;
  stop(): void;
  /** Whether access tokens of this sign-in are refused. A memory lookup: it runs on every request. */
  isSessionRevoked(sessionId: string): boolean;
  /**
   * Tells every process, this one first, that credentials were revoked; call it once the change is
   * committed. Streams of those credentials close and this process refuses the sessions at once, even
   * if the event cannot be recorded (that failure goes to `onError`: the revocation itself is committed).
   */
  announce(revocation: Revocation): Promise<void>;
  /** Calls `onRevoked` once if the principal's credential is revoked; answers the function that stops watching. */
  watch(principal: Principal, onRevoked: () => void): () => void;
  /**
   * Reads the revoked sessions, and whether each watched credential still holds (key revoked, expired
   * or gone, user disabled), from the database and applies what changed: what an announcement this
   * process missed (sent while its fan-out was down, or by a process that could not send it) would have
   * done. `start()` runs it every `resyncIntervalMs`.
   */
  resync(): Promise<void>;
}

const PRUNE_INTERVAL_MS = 60_000;
/** Sessions are kept this long past the access-token lifetime, for clocks that differ a little. */
const CLOCK_SKEW_MS = 60_000;

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
const optionalString = (value: unknown) => (typeof value === 'string' ? value : undefined);

function fromEvent(event: DomainEvent): Revocation | undefined {
  if (event.topic !== CREDENTIALS_TOPIC || event.type !== CREDENTIAL_REVOKED) return undefined;
  return {
    apiKeyId: optionalString(event.data.api_key_id),
    userId: optionalString(event.data.user_id),
    sessionIds: strings(event.data.session_ids),
  };
}

function matches(revocation: Revocation, principal: Principal): boolean {
  if (revocation.apiKeyId && principal.type === 'api_key' && principal.id === revocation.apiKeyId) return true;
  // A disabled user's API keys stop working along with their sign-ins.
  if (revocation.userId && principal.userId === revocation.userId) return true;
  return principal.sessionId !== undefined && (revocation.sessionIds ?? []).includes(principal.sessionId);
}

/**
 * Revocation that reaches what a database lookup per request does not: open streams (SSE, WebSocket),
 * authenticated once when they opened, and access tokens, which are verified by signature alone. A
 * revocation is an event on the bus, so the fan-out carries it to every process sharing the database;
 * each keeps the sessions revoked within the access-token lifetime in memory (older ones have no live
 * access token left), loaded from the database when it starts.
 */
export function createRevocations(options: {
  orm: Orm;
  events: EventBus;
  accessTokenTtlSeconds: number;
  now: () => Date;
  onError?: (error: unknown) => void;
  /** how often `resync` runs once started; never when left out (tests call it themselves) */
  resyncIntervalMs?: number | undefined;
}): Revocations {
  const { orm, events, now } = options;
  const onError = options.onError ?? (() => undefined);
  const keepMs = options.accessTokenTtlSeconds * 1000 + CLOCK_SKEW_MS;
  /** session id → when this process learnt it was revoked */
  const revokedSessions = new Map<string, number>();
  const watchers = new Set<{ principal: Principal; onRevoked: () => void }>();
  let unsubscribe: (() => void) | undefined;
  let resyncTimer: NodeJS.Timeout | undefined;
  let lastPrunedAt = 0;

  const prune = (at: number) => {
    if (at - lastPrunedAt < PRUNE_INTERVAL_MS) return;
    lastPrunedAt = at;
    for (const [sessionId, revokedAt] of revokedSessions) {
      if (revokedAt < at - keepMs) revokedSessions.delete(sessionId);
    }
  };

  const apply = (revocation: Revocation) => {
    const at = now().getTime();
    for (const sessionId of revocation.sessionIds ?? []) revokedSessions.set(sessionId, at);
    prune(at);
    for (const watcher of watchers) {
      if (!matches(revocation, watcher.principal)) continue;
      watchers.delete(watcher);
      try {
        watcher.onRevoked();
      } catch (error) {
        onError(error);
      }
    }
  };

  const loadRevokedSessions = async () => {
    const at = now().getTime();
    for (const sessionId of await sessionsRevokedSince(orm, new Date(at - keepMs))) {
      if (!revokedSessions.has(sessionId)) revokedSessions.set(sessionId, at);
    }
  };

  const resync = async () => {
    await loadRevokedSessions();
    const principals = [...watchers].map((watcher) => watcher.principal);
    const revoked = await revokedAmong(
      orm,
      {
        apiKeyIds: principals.filter((principal) => principal.type === 'api_key').map((principal) => principal.id),
        userIds: principals.flatMap((principal) => (principal.userId ? [principal.userId] : [])),
      },
      now(),
    );
    for (const apiKeyId of revoked.apiKeyIds) apply({ apiKeyId });
    for (const userId of revoked.userIds) apply({ userId });
    const sessionIds = principals.flatMap((principal) =>
      principal.sessionId && revokedSessions.has(principal.sessionId) ? [principal.sessionId] : [],
    );
    if (sessionIds.length > 0) apply({ sessionIds });
  };

  return {
    async start() {
      if (unsubscribe) return;
      // Subscribing before reading leaves no gap for a revocation to fall into.
      unsubscribe = events.subscribe((event) => {
        const revocation = fromEvent(event);
        if (revocation) apply(revocation);
      });
      await loadRevokedSessions();
      if (options.resyncIntervalMs !== undefined) {
        resyncTimer = setInterval(() => void resync().catch(onError), options.resyncIntervalMs);
        // It must not keep a process alive that is otherwise done.
        resyncTimer.unref();
      }
    },
    stop() {
      unsubscribe?.();
      unsubscribe = undefined;
      clearInterval(resyncTimer);
      resyncTimer = undefined;
    },
    resync,
    isSessionRevoked: (sessionId) => revokedSessions.has(sessionId),
    async announce(revocation) {
      // Applied here first: the bus delivers it again (harmless), and if recording the event fails this
      // process still ends the credential's streams.
      apply(revocation);
      await events
        .publish({
          type: CREDENTIAL_REVOKED,
          topic: CREDENTIALS_TOPIC,
          data: {
            api_key_id: revocation.apiKeyId ?? null,
            user_id: revocation.userId ?? null,
            session_ids: [...(revocation.sessionIds ?? [])],
          },
        })
        .catch(onError);
    },
    watch(principal, onRevoked) {
      const watcher = { principal, onRevoked };
      watchers.add(watcher);
      return () => {
        watchers.delete(watcher);
      };
    },
  };
}
