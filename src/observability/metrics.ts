import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** One registry per app, so several apps in one process (tests, benchmarks) never share counters. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'lvlup_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'lvlup_http_requests_total',
      help: 'HTTP requests by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'lvlup_http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    databaseQueries: new Histogram({
      name: 'lvlup_db_query_duration_seconds',
      help: 'Database statement duration by operation and outcome',
      labelNames: ['operation', 'outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
    taskDuration: new Histogram({
      name: 'lvlup_task_duration_seconds',
      help: 'Task attempt duration in this process, by agent type and outcome (succeeded, failed, retrying, cancelled, released)',
      labelNames: ['agent_type', 'outcome'] as const,
      buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers: [registry],
    }),
    taskAttempts: new Counter({
      name: 'lvlup_task_attempts_total',
      help: 'Finished task attempts in this process by agent type and outcome; outcome="retrying" counts retries',
      labelNames: ['agent_type', 'outcome'] as const,
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
