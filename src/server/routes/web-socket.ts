import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { Principal } from '../../accounts/principal.js';
import { mayRead } from '../../events/topics.js';

const AUTHENTICATION_TIMEOUT_MS = 5000;
const POLICY_VIOLATION = 1008;
const BEARER_PROTOCOL = 'bearer.';
/** The subprotocol the server selects when the client offers it next to its bearer.<token>. */
export const EVENTS_PROTOCOL = 'lvlup.events';

const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(2000) }),
  z.object({ type: z.literal('subscribe'), topics: z.array(z.string().max(200)).min(1).max(50) }),
  z.object({ type: z.literal('unsubscribe'), topics: z.array(z.string().max(200)).min(1).max(50) }),
]);
type ClientMessage = z.infer<typeof clientMessage>;

function offeredProtocols(request: FastifyRequest): string[] {
  const header = request.headers['sec-websocket-protocol'];
  return (typeof header === 'string' ? header : '')
    .split(',')
    .map((protocol) => protocol.trim())
    .filter(Boolean);
}

function parse(raw: unknown): ClientMessage | undefined {
  try {
    const result = clientMessage.safeParse(JSON.parse(String(raw)));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `GET /ws`: the WebSocket event feed (protocol in docs/events.md). The HTTP route is public because a
 * browser cannot set headers on a WebSocket; the connection authenticates by header, subprotocol or a
 * first message, and a bad or missing credential closes it with 1008 (policy violation).
 */
export default async function webSocketRoutes(app: FastifyInstance) {
  await app.register(websocket, {
    options: {
      maxPayload: 64 * 1024,
      handleProtocols: (protocols) => {
        if (protocols.has(EVENTS_PROTOCOL)) return EVENTS_PROTOCOL;
        return [...protocols].find((protocol) => protocol.startsWith(BEARER_PROTOCOL)) ?? false;
      },
    },
  });
  const bus = app.services.events;

  const options = { websocket: true, config: { auth: 'public', streaming: true }, schema: { hide: true } } as const;
  app.get('/ws', options, (socket: WebSocket, request) => {
    const sendJson = (message: unknown) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    const refuse = (reason: string) => socket.close(POLICY_VIOLATION, reason);
    const topics = new Set<string>();
    let principal: Principal | undefined;
    let unsubscribe: (() => void) | undefined;

    const start = (who: Principal) => {
      principal = who;
      unsubscribe = bus.subscribe((event) => {
        if (topics.has(event.topic)) sendJson(event);
      });
      sendJson({ type: 'authenticated', principal: who.label });
    };
    const authenticate = (token: string) =>
      app.authenticateToken(token).then(
        (who) => {
          if (socket.readyState !== socket.OPEN) return;
          if (who) start(who);
          else refuse('invalid, expired or revoked credential');
        },
        (error: unknown) => {
          request.log.error({ err: error }, 'could not authenticate a WebSocket');
          socket.close(1011, 'authentication failed');
        },
      );

    let authenticating = false;
    const timeout = setTimeout(() => {
      if (!principal) refuse('no credential within 5 seconds');
    }, AUTHENTICATION_TIMEOUT_MS);
    socket.on('close', () => {
      clearTimeout(timeout);
      unsubscribe?.();
    });

    socket.on('message', (raw) => {
      const message = parse(raw);
      if (!message) {
        sendJson({ type: 'error', code: 'bad_message', message: 'Messages are JSON: auth, subscribe or unsubscribe.' });
        return;
      }
      if (!principal) {
        if (message.type !== 'auth' || authenticating) {
          refuse('authenticate first');
          return;
        }
        authenticating = true;
        void authenticate(message.token);
        return;
      }
      if (message.type === 'auth') {
        sendJson({ type: 'error', code: 'already_authenticated', message: 'This connection is authenticated.' });
      } else if (message.type === 'subscribe') {
        const granted: string[] = [];
        for (const topic of message.topics) {
          const verdict = mayRead(principal, topic);
          if (verdict.allowed) {
            topics.add(topic);
            granted.push(topic);
          } else sendJson({ type: 'error', code: verdict.code, topic, message: verdict.detail });
        }
        if (granted.length) sendJson({ type: 'subscribed', topics: granted });
      } else {
        for (const topic of message.topics) topics.delete(topic);
        sendJson({ type: 'unsubscribed', topics: message.topics });
      }
    });

    if (request.headers.authorization) {
      authenticating = true;
      if (request.principal) start(request.principal);
      else refuse('invalid, expired or revoked credential');
      return;
    }
    const bearer = offeredProtocols(request).find((protocol) => protocol.startsWith(BEARER_PROTOCOL));
    if (bearer) {
      authenticating = true;
      void authenticate(bearer.slice(BEARER_PROTOCOL.length));
    }
  });
}
