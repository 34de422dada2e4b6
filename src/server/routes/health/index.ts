import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkReadiness } from '../../readiness.js';
import { sendProblem } from '../../error-handler.js';

const checkSchema = z.object({
  status: z.enum(['up', 'down']),
  latency_ms: z.number().optional(),
});

const queueSchema = z.object({
  queued: z.number().int(),
  retrying: z.number().int(),
  running: z.number().int(),
  oldest_waiting_seconds: z.number().nullable().describe('age of the oldest runnable task that has not started'),
  worker: z
    .object({ running: z.boolean(), active_tasks: z.number().int(), concurrency: z.number().int() })
    .nullable()
    .describe('this process’s worker; null when it runs none (serve --no-worker)'),
});

const sandboxSchema = z
  .object({
    status: z
      .enum(['isolated', 'unisolated', 'unavailable'])
      .describe(
        'isolated: bubblewrap; unisolated: SANDBOX_MODE=process (limits only, no network or file isolation); ' +
          'unavailable: no check or experiment runs until fixed',
      ),
    mode: z.enum(['auto', 'bwrap', 'process']).describe('SANDBOX_MODE'),
    isolation: z.enum(['bwrap', 'none']).nullable(),
    reason: z.string().optional().describe('why bubblewrap is not used, when it is not'),
    fix: z.string().optional().describe('when unavailable: what makes the sandbox work'),
  })
  .describe('how Sandbox runs checks in this process');

const llmSchema = z
  .object({
    configured: z.boolean().describe('false: LLM-only features answer 503 llm_not_configured; the rest works'),
    default_provider: z.string().nullable(),
    fallback_provider: z.string().nullable(),
    providers: z.array(
      z.object({
        provider: z.string(),
        base_url: z.string().nullable(),
        circuit: z.string().describe('closed, open or half-open, in this process'),
        consecutive_failures: z.number().int(),
        retry_at: z.string().nullable(),
      }),
    ),
    problem: z.string().nullable(),
  })
  .describe('language model providers; optional, so never a reason for 503');

const toolSchema = z.object({
  available: z.boolean(),
  path: z.string().nullable().describe('the executable found, or the path looked at'),
  reason: z.string().optional().describe('why it is unavailable'),
});

const projectToolsSchema = z
  .object({
    chromium: toolSchema.describe(
      'CHROMIUM_PATH: without it the QA stage’s browser smoke test ends `skipped` with this reason',
    ),
    flutter: toolSchema.describe(
      'FLUTTER_PATH: without it the `flutter` target’s client is written but its build ends `skipped`',
    ),
  })
  .describe('programs optional steps of the project pipeline need; never a reason for 503');

const health: FastifyPluginAsyncZod = async (app) => {
  const { version } = app.services;

  app.get(
    '/',
    {
      config: { auth: 'public', rateLimit: false },
      schema: {
        summary: 'Liveness',
        tags: ['health'],
        response: { 200: z.object({ status: z.literal('ok'), timestamp: z.string(), version: z.string() }) },
      },
    },
    async () => ({ status: 'ok' as const, timestamp: app.services.now().toISOString(), version }),
  );

  app.get(
    '/ready',
    {
      config: { auth: 'public', rateLimit: false },
      schema: {
        summary: 'Readiness: probes every dependency',
        description:
          'Public so that orchestrators can probe it; it names dependencies and their state, never error details. ' +
          'Answers 503 (problem+json with the same `checks`) when any dependency is down. `queue` counts tasks ' +
          'over all processes; the `queue` check is down when the tasks table cannot be read or when this ' +
          'process should run a worker and its worker has stopped. `sandbox` says how checks run: `isolated` ' +
          '(bubblewrap), `unisolated` only when SANDBOX_MODE=process was chosen, and `unavailable` (the ' +
          '`sandbox` check down, with `reason` and `fix`) when bubblewrap is missing or unusable in modes ' +
          '`auto` and `bwrap`: then no check or experiment runs.',
        tags: ['health'],
        response: {
          200: z.object({
            status: z.literal('ready'),
            checks: z.record(z.string(), checkSchema),
            queue: queueSchema.optional(),
            sandbox: sandboxSchema,
            llm: llmSchema,
            projects: projectToolsSchema,
          }),
        },
      },
    },
    async (request, reply) => {
      const { checks, down, queue, sandbox, llm: status, projects } = await checkReadiness(app.services);
      const llm = { ...status, providers: status.providers.map((provider) => ({ ...provider })) };
      const queueBody = queue && {
        queued: queue.queued,
        retrying: queue.retrying,
        running: queue.running,
        oldest_waiting_seconds: queue.oldestWaitingSeconds,
        worker: queue.worker,
      };
      if (down.length > 0) {
        return sendProblem(request, reply, 503, 'dependency_unavailable', `Unavailable: ${down.join(', ')}`, {
          checks,
          down,
          ...(queueBody ? { queue: queueBody } : {}),
          sandbox,
          llm,
          projects,
        });
      }
      return {
        status: 'ready' as const,
        checks,
        ...(queueBody ? { queue: queueBody } : {}),
        sandbox,
        llm,
        projects,
      };
    },
  );
};

export default health;
