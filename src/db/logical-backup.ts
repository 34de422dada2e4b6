import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Database } from './database.js';
import { appliedMigrations } from './migrate.js';

type Query = Database['query'];

/** A table of a backup: its rows are in `<name>.jsonl`, one JSON object a line (column → value). */
export interface DumpedTable {
  readonly name: string;
  readonly rows: number;
}

export interface DatabaseDump {
  readonly tables: DumpedTable[];
  /** what drizzle's journal table said was applied when the snapshot was taken */
  readonly migrations: { hash: string; createdAt: number }[];
}

const FETCH_SIZE = 1000;
/** rows per insert, and at most this many characters of JSON per insert (a row can hold megabytes) */
const INSERT_BATCH = 500;
const INSERT_BATCH_CHARACTERS = 8 * 1024 * 1024;

export const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The tables lvlup's migrations made, by name. */
async function publicTables(query: Query): Promise<string[]> {
  const rows = await query<{ name: string }>(
    "select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1",
  );
  return rows.map((row) => row.name);
}

/** Rows per lvlup table; a database without lvlup's tables answers an empty object. */
export async function countRows(database: Database): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await publicTables((text, parameters) => database.query(text, parameters))) {
    const [row] = await database.query<{ total: number }>(
      `select count(*)::int as total from ${quoteIdentifier(table)}`,
    );
    counts[table] = row?.total ?? 0;
  }
  return counts;
}

/**
 * The tables in an order where every table comes after the tables its foreign keys point at, so rows can
 * be inserted one table after another with every constraint checked as usual.
 */
async function loadOrder(query: Query, tables: readonly string[]): Promise<string[]> {
  const references = await query<{ source: string; target: string }>(
    `select source.relname as source, target.relname as target
       from pg_constraint constraint_row
       join pg_class source on source.oid = constraint_row.conrelid
       join pg_class target on target.oid = constraint_row.confrelid
       join pg_namespace namespace on namespace.oid = source.relnamespace
      where constraint_row.contype = 'f' and namespace.nspname = 'public'`,
  );
  const ordered: string[] = [];
  const placed = new Set<string>();
  let remaining = [...tables];
  while (remaining.length > 0) {
    const ready = remaining.filter((table) =>
      references.every((reference) => reference.source !== table || placed.has(reference.target)),
    );
    if (ready.length === 0) {
      // A table referring to itself (or a cycle) would need its rows in dependency order, which a plain
      // per-table copy does not give; no lvlup table does this, and this says so if one ever does.
      throw new Error(`cannot order tables with cyclic foreign keys for loading: ${remaining.join(', ')}`);
    }
    for (const table of ready) {
      ordered.push(table);
      placed.add(table);
    }
    remaining = remaining.filter((table) => !placed.has(table));
  }
  return ordered;
}

/**
 * Writes every lvlup table's rows to `<folder>/<table>.jsonl` from one snapshot: a repeatable-read,
 * read-only transaction, so the files agree with each other even while servers keep writing (PostgreSQL)
 * — the embedded database is locked by this process anyway. Rows are read through a cursor, a thousand at
 * a time, so a large table never sits in memory whole.
 *
 * Each row is `to_jsonb(row)`: JSON that any PostgreSQL (PGlite's 17, a 15 server, …) turns back into the
 * same values with `jsonb_populate_recordset`, which a physical copy such as PGlite's `dumpDataDir` or
 * `pg_dump` of another server version does not promise.
 */
export async function dumpDatabase(database: Database, folder: string): Promise<DatabaseDump> {
  return database.withSession(async (query) => {
    await query('begin transaction isolation level repeatable read read only');
    try {
      const session: Database = { ...database, query };
      const migrations = await appliedMigrations(session);
      const tables: DumpedTable[] = [];
      for (const name of await publicTables(query)) {
        const file = await open(path.join(folder, `${name}.jsonl`), 'wx');
        let rows = 0;
        try {
          await query(
            `declare lvlup_backup no scroll cursor for select to_jsonb(t)::text as row from ${quoteIdentifier(name)} t`,
          );
          for (;;) {
            const batch = await query<{ row: string }>(`fetch forward ${FETCH_SIZE} from lvlup_backup`);
            if (batch.length === 0) break;
            await file.write(batch.map((entry) => `${entry.row}\n`).join(''));
            rows += batch.length;
          }
          await query('close lvlup_backup');
        } finally {
          await file.close();
        }
        tables.push({ name, rows });
      }
      await query('commit');
      return { tables, migrations };
    } catch (error) {
      await query('rollback').catch(() => undefined);
      throw error;
    }
  });
}

/** Deletes every lvlup table and the migration journal: the database is as before the first migration. */
export async function dropLvlupSchema(database: Database): Promise<void> {
  for (const table of await publicTables((text, parameters) => database.query(text, parameters)))
    await database.query(`drop table if exists ${quoteIdentifier(table)} cascade`);
  await database.query('drop schema if exists drizzle cascade');
}

async function* batches(file: string): AsyncGenerator<string[]> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let batch: string[] = [];
  let characters = 0;
  for await (const line of lines) {
    if (line === '') continue;
    batch.push(line);
    characters += line.length;
    if (batch.length === INSERT_BATCH || characters >= INSERT_BATCH_CHARACTERS) {
      yield batch;
      batch = [];
      characters = 0;
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Loads the rows of a dump into a database whose schema is at the dump's migration level and whose tables
 * are empty, in one transaction: either every row is in, or none. Sequences (bigserial ids) continue after
 * the largest id loaded.
 */
export async function loadDatabase(database: Database, folder: string, dump: Pick<DatabaseDump, 'tables'>) {
  await database.withSession(async (query) => {
    const present = await publicTables(query);
    const expected = dump.tables.map((table) => table.name).sort();
    if (JSON.stringify(present) !== JSON.stringify(expected)) {
      throw new Error(
        `the backup's tables (${expected.join(', ')}) are not the database's at the same migration (${present.join(', ')})`,
      );
    }
    const rowsExpected = new Map(dump.tables.map((table) => [table.name, table.rows]));
    await query('begin');
    try {
      for (const table of await loadOrder(query, present)) {
        const quoted = quoteIdentifier(table);
        let loaded = 0;
        for await (const batch of batches(path.join(folder, `${table}.jsonl`))) {
          await query(`insert into ${quoted} select * from jsonb_populate_recordset(null::${quoted}, $1::jsonb)`, [
            `[${batch.join(',')}]`,
          ]);
          loaded += batch.length;
        }
        if (loaded !== rowsExpected.get(table)) {
          throw new Error(`${table}.jsonl holds ${loaded} rows, the backup's manifest says ${rowsExpected.get(table)}`);
        }
      }
      const sequences = await query<{ table_name: string; column_name: string; sequence: string }>(
        `select table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) as sequence
           from information_schema.columns
          where table_schema = 'public' and pg_get_serial_sequence(quote_ident(table_name), column_name) is not null`,
      );
      for (const { table_name, column_name, sequence } of sequences) {
        await query(
          `select setval($1, coalesce((select max(${quoteIdentifier(column_name)}) from ${quoteIdentifier(table_name)}), 0) + 1, false)`,
          [sequence],
        );
      }
      await query('commit');
    } catch (error) {
      await query('rollback').catch(() => undefined);
      throw error;
    }
  });
}
