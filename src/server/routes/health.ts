import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sendProblem } from '../error-handler.js';

const checkSchema = z.object({
  status: z.enum(['up', 'down']),
  latency_ms: z.number().optional(),
});

async function probe(run: () => Promise<unknown>, timeoutMs: number) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      run(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      }),
    ]);
    return { status: 'up' as const, latency_ms: Math.round((performance.now() - started) * 100) / 100 };
  } catch {
    return { status: 'down' as const };
  } finally {
    clearTimeout(timer);
  }
}

const health: FastifyPluginAsyncZod = async (app) => {
  const { database, redis, version } = app.services;

  app.get(
    '/health',
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
    '/api/health',
    {
      config: { auth: 'public', rateLimit: false },
      schema: {
        summary: 'Liveness (seed-compatible path)',
        tags: ['health'],
        response: { 200: z.object({ status: z.literal('ok'), message: z.string() }) },
      },
    },
    async () => ({ status: 'ok' as const, message: `lvlup ${version} is running` }),
  );

  app.get(
    '/health/ready',
    {
      config: { auth: 'public', rateLimit: false },
      schema: {
        summary: 'Readiness: probes every dependency',
        description:
          'Public so that orchestrators can probe it; it names dependencies and their state, never error details. ' +
          'Answers 503 (problem+json with the same `checks`) when any dependency is down.',
        tags: ['health'],
        response: {
          200: z.object({
            status: z.literal('ready'),
            checks: z.record(z.string(), checkSchema),
          }),
        },
      },
    },
    async (request, reply) => {
      const checks: Record<string, z.infer<typeof checkSchema>> = {
        database: await probe(() => database.query('select 1'), 2000),
      };
      if (redis) checks.redis = await probe(() => redis.ping(), 2000);
      const down = Object.entries(checks)
        .filter(([, check]) => check.status === 'down')
        .map(([name]) => name);
      if (down.length > 0) {
        return sendProblem(request, reply, 503, 'dependency_unavailable', `Unavailable: ${down.join(', ')}`, {
          checks,
          down,
        });
      }
      return { status: 'ready' as const, checks };
    },
  );
};

export default health;
