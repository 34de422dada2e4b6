import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema.js';

export type Schema = typeof schema;
export type Orm = PgDatabase<PgQueryResultHKT, Schema>;

/** Called after every statement the driver runs; feeds the database metrics. */
export type QueryObserver = (event: { operation: string; durationSeconds: number; failed: boolean }) => void;

/**
 * The one handle on storage. `orm` is drizzle over whichever driver is open; `query` runs raw SQL for the
 * few statements drizzle does not express (locks, probes). `withSession` runs work on one connection,
 * which session-scoped features such as advisory locks need on a pool.
 */
export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly orm: Orm;
  query<Row = Record<string, unknown>>(text: string, parameters?: unknown[]): Promise<Row[]>;
  withSession<T>(work: (query: Database['query']) => Promise<T>): Promise<T>;
  observeQueries(observer: QueryObserver | undefined): void;
  /**
   * Calls `onMessage` with the payload of every NOTIFY on `channel`, from this process or any other on
   * the same database; answers the function that stops listening. A NOTIFY sent inside a transaction is
   * delivered when it commits, which is what makes it safe to wake workers from an enqueueing transaction.
   */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export function operationOf(text: string): string {
  const keyword = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase() ?? 'other';
  return ['select', 'insert', 'update', 'delete', 'with'].includes(keyword) ? keyword : 'other';
}

/** Times a driver call and reports it; the observer is looked up per call so it can be set late. */
export async function observed<T>(
  getObserver: () => QueryObserver | undefined,
  text: string,
  run: () => Promise<T>,
): Promise<T> {
  const observer = getObserver();
  if (!observer) return run();
  const started = process.hrtime.bigint();
  let failed = false;
  try {
    return await run();
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    observer({
      operation: operationOf(text),
      durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      failed,
    });
  }
}
