import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createMetrics } from '../../observability/metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ReturnType<typeof createMetrics>;
  }
}

async function metrics(app: FastifyInstance) {
  const collected = createMetrics();
  app.decorate('metrics', collected);

  app.services.database.observeQueries(({ operation, durationSeconds, failed }) => {
    collected.databaseQueries.observe({ operation, outcome: failed ? 'error' : 'ok' }, durationSeconds);
  });

  app.addHook('onResponse', (request, reply, done) => {
    // Unmatched URLs share one label so that scanners cannot blow up the series count.
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    collected.httpRequests.inc(labels);
    collected.httpDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });

  app.addHook('onClose', async () => {
    app.services.database.observeQueries(undefined);
  });
}

export default fp(metrics, { name: 'metrics' });
