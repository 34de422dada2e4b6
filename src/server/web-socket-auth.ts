import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import type { Principal } from '../accounts/principal.js';
import { bearerToken } from './plugins/authentication.js';

const AUTHENTICATION_TIMEOUT_MS = 5000;
/** Messages a client may send while its credential is being checked; they are handled once it passes. */
const MAX_EARLY_MESSAGES = 16;
export const POLICY_VIOLATION = 1008;
/** Close code once the connection's credential is revoked, expired or its owner disabled. */
export const CREDENTIAL_REVOKED = 4401;
const BEARER_PROTOCOL = 'bearer.';
/** The subprotocol the server selects when the client offers it next to its bearer.<token>. */
export const EVENTS_PROTOCOL = 'lvlup.events';

/** Settings for @fastify/websocket shared by every WebSocket route. */
export const webSocketServerOptions = {
  maxPayload: 64 * 1024,
  handleProtocols: (protocols: Set<string>) => {
    if (protocols.has(EVENTS_PROTOCOL)) return EVENTS_PROTOCOL;
    return [...protocols].find((protocol) => protocol.startsWith(BEARER_PROTOCOL)) ?? false;
  },
};

/** A message's text; `ws` hands over a Buffer unless told otherwise, but its type allows the other forms. */
export function textOf(raw: RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  return (Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw)).toString('utf8');
}

const authMessage = z.object({ type: z.literal('auth'), token: z.string().min(1).max(2000) });

function tokenOf(raw: RawData): string | undefined {
  try {
    const result = authMessage.safeParse(JSON.parse(textOf(raw)));
    return result.success ? result.data.token : undefined;
  } catch {
    return undefined;
  }
}

function offeredProtocols(request: FastifyRequest): string[] {
  const header = request.headers['sec-websocket-protocol'];
  return (typeof header === 'string' ? header : '')
    .split(',')
    .map((protocol) => protocol.trim())
    .filter(Boolean);
}

export function sendJson(socket: WebSocket, message: unknown): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

/**
 * Authenticates a WebSocket in one of three ways (docs/events.md): the upgrade request's Authorization
 * header, a `bearer.<token>` subprotocol, or a first `{"type": "auth", "token"}` message within 5 seconds.
 * On success it sends `{"type": "authenticated"}`, calls `onAuthenticated` once and passes every later
 * message to `onMessage`. A bad credential, none in time, or another message first closes with 1008.
 *
 * Once authenticated, the connection closes with 4401 as soon as its credential is revoked (in any
 * process), and each later message first checks the credential again, so `onMessage` gets the principal
 * as it is now (a role change applies to the next subscription).
 */
export function authenticateWebSocket(
  app: FastifyInstance,
  socket: WebSocket,
  request: FastifyRequest,
  handlers: { onAuthenticated(principal: Principal): void; onMessage(raw: RawData, principal: Principal): void },
): void {
  const refuse = (reason: string) => socket.close(POLICY_VIOLATION, reason);
  const revoked = () => socket.close(CREDENTIAL_REVOKED, 'credential revoked');
  let principal: Principal | undefined;
  let credential: string | undefined;
  let authenticating = false;
  // A client that authenticates by subprotocol may send before the check finishes; those messages wait.
  const early: RawData[] = [];
  // Later messages are handled one after another, each after its credential check.
  let handled: Promise<void> = Promise.resolve();

  const timeout = setTimeout(() => {
    if (!principal) refuse('no credential within 5 seconds');
  }, AUTHENTICATION_TIMEOUT_MS);
  let unwatch: (() => void) | undefined;
  socket.on('close', () => {
    clearTimeout(timeout);
    unwatch?.();
  });

  const recheck = async (token: string) => (await app.authenticateToken(token)) !== undefined;
  const failed = (error: unknown) => {
    request.log.error({ err: error }, 'could not check a WebSocket credential');
    socket.close(1011, 'authentication failed');
  };

  const start = (who: Principal, token: string) => {
    principal = who;
    credential = token;
    clearTimeout(timeout);
    unwatch = app.services.revocations.watch(who, revoked);
    sendJson(socket, { type: 'authenticated', principal: who.label });
    handlers.onAuthenticated(who);
    // A revocation announced between the credential check and the watch is caught by a second look
    // (after the handler's own first reads, which it does not hold up).
    handled = recheck(token).then((valid) => {
      if (!valid) revoked();
    }, failed);
    for (const raw of early.splice(0)) handlers.onMessage(raw, who);
  };
  const authenticate = (token: string) => {
    authenticating = true;
    app.authenticateToken(token).then(
      (who) => {
        if (socket.readyState !== socket.OPEN) return;
        if (who) start(who, token);
        else refuse('invalid, expired or revoked credential');
      },
      (error: unknown) => {
        request.log.error({ err: error }, 'could not authenticate a WebSocket');
        socket.close(1011, 'authentication failed');
      },
    );
  };
  socket.on('message', (raw) => {
    if (principal && credential) {
      const token = credential;
      handled = handled
        .then(async () => {
          const who = await app.authenticateToken(token);
          if (socket.readyState !== socket.OPEN) return;
          if (who) handlers.onMessage(raw, who);
          else revoked();
        })
        .catch(failed);
      return;
    }
    if (authenticating) {
      if (early.length < MAX_EARLY_MESSAGES) early.push(raw);
      else refuse('too many messages before authenticating');
      return;
    }
    const token = tokenOf(raw);
    if (token) authenticate(token);
    else refuse('authenticate first');
  });

  const header = bearerToken(request);
  if (request.headers.authorization) {
    // The authentication plugin has checked the header already, as on every request.
    if (request.principal && header) start(request.principal, header);
    else refuse('invalid, expired or revoked credential');
    return;
  }
  const bearer = offeredProtocols(request).find((protocol) => protocol.startsWith(BEARER_PROTOCOL));
  if (bearer) authenticate(bearer.slice(BEARER_PROTOCOL.length));
}
