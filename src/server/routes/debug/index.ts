import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accountCounts } from '../../../accounts/account-count-queries.js';

const debug: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/',
    {
      config: { auth: { scope: 'admin' } },
      schema: {
        summary: 'Runtime and storage facts, counted from the database',
        tags: ['health'],
        response: {
          200: z.object({
            version: z.string(),
            node_version: z.string(),
            pid: z.number(),
            uptime_seconds: z.number(),
            started_at: z.string(),
            database: z.object({ kind: z.enum(['pglite', 'postgres']) }),
            redis: z.object({ configured: z.boolean() }),
            memory: z.object({ rss_bytes: z.number(), heap_used_bytes: z.number() }),
            counts: z.object({
              users: z.number(),
              active_api_keys: z.number(),
              active_refresh_tokens: z.number(),
              audit_entries: z.number(),
            }),
          }),
        },
      },
    },
    async () => {
      const { database, redis, version, startedAt } = app.services;
      const now = app.services.now();
      const counts = await accountCounts(database.orm, now);
      const memory = process.memoryUsage();
      return {
        version,
        node_version: process.version,
        pid: process.pid,
        uptime_seconds: Math.round((now.getTime() - startedAt.getTime()) / 1000),
        started_at: startedAt.toISOString(),
        database: { kind: database.kind },
        redis: { configured: redis !== undefined },
        memory: { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed },
        counts: {
          users: counts.users,
          active_api_keys: counts.activeApiKeys,
          active_refresh_tokens: counts.activeRefreshTokens,
          audit_entries: counts.auditEntries,
        },
      };
    },
  );
};

export default debug;
