import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import type { Principal } from '../../../accounts/principal.js';
import { mayRead } from '../../../accounts/topic-access.js';
import { topicMatches } from '../../../events/topics.js';
import { authenticateWebSocket, sendJson, textOf, webSocketServerOptions } from '../../web-socket-auth.js';
import webSocketTaskRoutes from './tasks.js';

/** Subscriptions one connection may hold at once. */
const MAX_TOPICS = 100;

const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().max(2000) }),
  z.object({ type: z.literal('subscribe'), topics: z.array(z.string().max(200)).min(1).max(50) }),
  z.object({ type: z.literal('unsubscribe'), topics: z.array(z.string().max(200)).min(1).max(50) }),
]);
type ClientMessage = z.infer<typeof clientMessage>;

function parse(raw: RawData): ClientMessage | undefined {
  try {
    const result = clientMessage.safeParse(JSON.parse(textOf(raw)));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The WebSocket routes: `GET /ws`, the event feed, and `GET /ws/tasks/:task_id`, one task's progress
 * (protocols in docs/events.md). The HTTP routes are public because a browser cannot set headers on a
 * WebSocket; the connection authenticates by header, subprotocol or a first message, and a bad or missing
 * credential closes it with 1008 (policy violation). @fastify/websocket is registered here, once, for both.
 */
export default async function webSocketRoutes(app: FastifyInstance) {
  await app.register(websocket, { options: webSocketServerOptions });
  await app.register(webSocketTaskRoutes);
  const bus = app.services.events;

  const options = { websocket: true, config: { auth: 'public', streaming: true }, schema: { hide: true } } as const;
  app.get('/', options, (socket: WebSocket, request) => {
    const topics = new Set<string>();
    let unsubscribe: (() => void) | undefined;
    socket.on('close', () => unsubscribe?.());

    const receive = (who: Principal, message: ClientMessage) => {
      if (message.type === 'auth') {
        sendJson(socket, {
          type: 'error',
          code: 'already_authenticated',
          message: 'This connection is authenticated.',
        });
      } else if (message.type === 'subscribe') {
        const granted: string[] = [];
        for (const topic of message.topics) {
          const verdict = mayRead(who, topic);
          if (!verdict.allowed) {
            sendJson(socket, { type: 'error', code: verdict.code, topic, message: verdict.detail });
          } else if (!topics.has(verdict.topic) && topics.size >= MAX_TOPICS) {
            // Task topics are unbounded in number; every event is matched against each subscription.
            const text = `A connection follows at most ${MAX_TOPICS} topics; unsubscribe first or use "tasks".`;
            sendJson(socket, { type: 'error', code: 'too_many_topics', topic, message: text });
          } else {
            topics.add(verdict.topic);
            granted.push(verdict.topic);
          }
        }
        if (granted.length) sendJson(socket, { type: 'subscribed', topics: granted });
      } else {
        const removed = message.topics.map((topic) => {
          const verdict = mayRead(who, topic);
          return verdict.allowed ? verdict.topic : topic;
        });
        for (const topic of removed) topics.delete(topic);
        sendJson(socket, { type: 'unsubscribed', topics: removed });
      }
    };

    authenticateWebSocket(app, socket, request, {
      onAuthenticated: () => {
        unsubscribe = bus.subscribe((event) => {
          for (const topic of topics) {
            if (topicMatches(topic, event.topic)) {
              sendJson(socket, event);
              return;
            }
          }
        });
      },
      onMessage: (raw, who) => {
        const message = parse(raw);
        if (message) receive(who, message);
        else {
          const text = 'Messages are JSON: auth, subscribe or unsubscribe.';
          sendJson(socket, { type: 'error', code: 'bad_message', message: text });
        }
      },
    });
  });
}
