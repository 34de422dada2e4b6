import type { Database } from '../db/database.js';

export interface QueueDepth {
  readonly queued: number;
  readonly retrying: number;
  readonly running: number;
  /** age of the oldest runnable task that has not started, to a tenth of a second; null when none waits */
  readonly oldestWaitingSeconds: number | null;
}

/** How many tasks wait, retry and run over every process, and how long the oldest runnable one has waited. */
export async function queueDepth(database: Pick<Database, 'query'>): Promise<QueueDepth> {
  const [row] = await database.query<{ queued: number; retrying: number; running: number; oldest: number | null }>(
    `select count(*) filter (where status = 'queued')::int as queued,
            count(*) filter (where status = 'retrying')::int as retrying,
            count(*) filter (where status = 'running')::int as running,
            extract(epoch from now() - min(run_at) filter (where status in ('queued', 'retrying') and run_at <= now()))::float8 as oldest
     from tasks where status in ('queued', 'retrying', 'running')`,
  );
  return {
    queued: row?.queued ?? 0,
    retrying: row?.retrying ?? 0,
    running: row?.running ?? 0,
    oldestWaitingSeconds: row?.oldest === null || row?.oldest === undefined ? null : Math.round(row.oldest * 10) / 10,
  };
}
