import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge } from 'prom-client';
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

  const { database } = app.services;
  // Read from the tasks table at scrape time, so every process reports the same, global depth.
  new Gauge({
    name: 'lvlup_queue_depth',
    help: 'Tasks waiting (queued, retrying) or running, by agent type, over all processes',
    labelNames: ['agent_type', 'status'] as const,
    registers: [collected.registry],
    async collect() {
      const rows = await database.query<{ agent_type: string; status: string; count: number }>(
        `select agent_type, status, count(*)::int as count from tasks
         where status in ('queued', 'retrying', 'running') group by agent_type, status`,
      );
      this.reset();
      for (const agent of app.services.agents.list()) {
        for (const status of ['queued', 'retrying', 'running']) this.set({ agent_type: agent.type, status }, 0);
      }
      for (const row of rows) this.set({ agent_type: row.agent_type, status: row.status }, row.count);
    },
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
