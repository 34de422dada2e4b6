import { sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import type { TimeWindow } from './window.js';

/** `column` lies in the window (`true` when the window is open on both sides). */
export function inWindow(column: SQL, window: TimeWindow): SQL {
  const conditions: SQL[] = [];
  if (window.from) conditions.push(sql`${column} >= ${window.from.toISOString()}::timestamptz`);
  if (window.to) conditions.push(sql`${column} < ${window.to.toISOString()}::timestamptz`);
  return conditions.length ? sql.join(conditions, sql` and `) : sql`true`;
}

/** A timestamp as ISO 8601 in UTC with milliseconds, formatted by the database (both drivers agree on text). */
export const isoText = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Runs a raw statement and answers its rows; both drivers answer raw statements with a `rows` array. */
export async function selectRows<Row>(orm: Orm, query: SQL): Promise<Row[]> {
  const result: unknown = await orm.execute(query);
  return (result as { rows: Row[] }).rows;
}

/** A fraction rounded to 4 places by the database; null when the denominator is 0. */
export const ratio = (numerator: SQL, denominator: SQL) =>
  sql`round((${numerator})::numeric / nullif(${denominator}, 0), 4)::float8`;

/** Seconds rounded to milliseconds by the database. */
export const roundSeconds = (value: SQL) => sql`round((${value})::numeric, 3)::float8`;
