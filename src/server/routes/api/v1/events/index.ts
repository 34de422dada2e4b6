import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DomainEvent } from '../../../../../events/bus.js';
import { replayEvents, subscriptionTopics } from '../../../../../accounts/event-subscription.js';
import { TOPIC_FORMS, topicMatches } from '../../../../../events/topics.js';
import { bearerToken } from '../../../../plugins/authentication.js';
import { badRequest } from '../../../../problem.js';

const HEARTBEAT_MS = 15_000;
/** A client this far behind is disconnected; it resumes with Last-Event-ID. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

const eventId = z.string().regex(/^\d{1,18}$/, 'must be an event id (digits)');

export const serverSentEvent = (event: DomainEvent) =>
  `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

async function stillValid(app: FastifyInstance, request: FastifyRequest): Promise<boolean> {
  const token = bearerToken(request);
  return token !== undefined && (await app.authenticateToken(token)) !== undefined;
}

const events: FastifyPluginAsyncZod = async (app) => {
  const { database, events: bus, config } = app.services;
  const openStreams = new Set<PassThrough>();

  // Open streams would keep the server from closing.
  app.addHook('preClose', (done) => {
    for (const stream of openStreams) stream.end();
    done();
  });

  app.get(
    '/',
    {
      exposeHeadRoute: false,
      config: { auth: 'authenticated', streaming: true },
      schema: {
        summary: 'Server-Sent Events: replay from the stored log, then live events',
        description:
          'Each event is sent as `id: <id>`, `event: <type>`, `data: <JSON envelope {id, type, topic, data, ' +
          'timestamp}>`. Send `Last-Event-ID` (or `last_event_id`) to replay the events after that id that are ' +
          'still within the retention window, then receive live ones. A comment line is sent every 15 s. ' +
          'Asking for a topic you may not read is refused with 403 (`proposals` needs `proposals:read`; ' +
          '`agents`, `tasks` (every task) and `tasks/{id}` need `agents:read`). See docs/events.md.',
        tags: ['events'],
        querystring: z.object({
          topics: z
            .string()
            .max(500)
            .optional()
            .describe(
              `comma-separated topics (${TOPIC_FORMS.join(', ')}); default: every topic without an id you may read`,
            ),
          last_event_id: eventId.optional().describe('resume after this event id (the Last-Event-ID header wins)'),
        }),
        response: {
          200: {
            description: 'A text/event-stream that stays open',
            content: { 'text/event-stream': { schema: z.string() } },
          },
        },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const header = request.headers['last-event-id'];
      const resumeFrom = typeof header === 'string' && header !== '' ? header : request.query.last_event_id;
      if (resumeFrom !== undefined && !eventId.safeParse(resumeFrom).success) {
        throw badRequest('Last-Event-ID must be an event id (digits).');
      }
      const requested = request.query.topics
        ?.split(',')
        .map((topic) => topic.trim())
        .filter(Boolean);
      const topics = subscriptionTopics(principal, requested);

      const stream = new PassThrough();
      openStreams.add(stream);
      const send = (text: string) => {
        if (stream.writableEnded) return;
        stream.write(text);
        if (stream.writableLength > MAX_BUFFERED_BYTES) stream.end();
      };

      // Live events are held back until the replay is written, so none is lost or sent twice in between.
      let pending: DomainEvent[] | undefined = [];
      const unsubscribe = bus.subscribe((event) => {
        if (!topics.some((topic) => topicMatches(topic, event.topic))) return;
        if (pending) pending.push(event);
        else send(serverSentEvent(event));
      });
      const heartbeat = setInterval(() => send(': heartbeat\n\n'), HEARTBEAT_MS);
      let cleanedUp = false;
      const cleanUp = () => {
        if (cleanedUp) return;
        cleanedUp = true;
        clearInterval(heartbeat);
        unsubscribe();
        unwatch();
        openStreams.delete(stream);
        stream.end();
      };
      // The stream ends once its credential is revoked or its owner disabled, in whichever process.
      const unwatch = app.services.revocations.watch(principal, cleanUp);
      // A revocation announced between identifying the caller and watching is caught by a second look.
      stillValid(app, request).then(
        (valid) => valid || cleanUp(),
        (error: unknown) => {
          request.log.error({ err: error }, 'could not check an event stream credential');
          cleanUp();
        },
      );
      request.raw.once('close', cleanUp);
      stream.once('close', cleanUp);

      reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('x-accel-buffering', 'no');
      // The schema documents the stream as a string; Fastify pipes a stream payload without serialising it.
      void reply.send(stream as unknown as string);
      send(': connected\n\n');

      const replayed = new Set<string>();
      if (resumeFrom !== undefined) {
        const since = new Date(app.services.now().getTime() - config.eventRetentionSeconds * 1000);
        try {
          for await (const page of replayEvents(database.orm, { afterId: Number(resumeFrom), topics, since })) {
            for (const event of page) {
              replayed.add(event.id);
              send(serverSentEvent(event));
            }
            if (stream.writableEnded) break;
          }
        } catch (error) {
          // The 200 is already on its way; ending the stream makes the client reconnect and retry.
          request.log.error({ err: error }, 'could not replay the event log');
          cleanUp();
          return reply;
        }
      }
      for (const event of pending) if (!replayed.has(event.id)) send(serverSentEvent(event));
      pending = undefined;
      return reply;
    },
  );
};

export default events;
