import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { is, Table } from 'drizzle-orm';
import type { Database } from '../src/db/database.js';
import { migrate, migrationsFolder } from '../src/db/migrate.js';
import { openPglite } from '../src/db/pglite.js';
import { openPostgres } from '../src/db/postgres.js';
import * as schema from '../src/db/schema.js';
import { createPostgresDatabase, databaseTargets, dropPostgresDatabase } from './support/database.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const journal = JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
  entries: { tag: string; when: number }[];
};
const schemaTables = (Object.values(schema) as unknown[])
  .filter((value): value is PgTable => is(value, Table))
  .map((table) => getTableConfig(table).name)
  .sort();

async function publicTables(database: Database): Promise<string[]> {
  const rows = await database.query<{ name: string }>(
    "select table_name as name from information_schema.tables where table_schema = 'public' order by 1",
  );
  return rows.map((row) => row.name);
}

async function appliedMigrations(database: Database) {
  return database.query<{ hash: string; created_at: string }>(
    'select hash, created_at::text as created_at from drizzle.__drizzle_migrations order by id',
  );
}

/** What drizzle's migrator records for each committed migration, in order. */
function expectedMigrations() {
  return journal.entries.map((entry) => ({
    hash: createHash('sha256')
      .update(readFileSync(path.join(migrationsFolder, `${entry.tag}.sql`), 'utf8'))
      .digest('hex'),
    created_at: String(entry.when),
  }));
}

describe('the committed migrations', () => {
  it('are listed in the journal, one .sql file each', () => {
    assert.ok(journal.entries.length > 0);
    const files = readdirSync(migrationsFolder).filter((file) => file.endsWith('.sql'));
    assert.deepEqual(files.sort(), journal.entries.map((entry) => `${entry.tag}.sql`).sort());
  });
});

for (const target of databaseTargets()) {
  describe(`migrations on ${target}`, { timeout: 120_000 }, () => {
    let database: Database;
    let url: string | undefined;
    before(async () => {
      if (target === 'pglite') {
        database = await openPglite(undefined);
      } else {
        url = await createPostgresDatabase();
        // the smallest pool the configuration allows: the migration lock holds one connection
        database = await openPostgres(url, 2);
      }
    });
    after(async () => {
      await database?.close();
      if (url) await dropPostgresDatabase(url);
    });

    it('create every table of the schema on a fresh database', async () => {
      assert.deepEqual(await publicTables(database), []);
      await migrate(database);
      assert.deepEqual(await publicTables(database), schemaTables);
      assert.deepEqual(await appliedMigrations(database), expectedMigrations());
    });

    it('are idempotent: migrating again changes nothing', async () => {
      await migrate(database);
      await migrate(database);
      assert.deepEqual(await publicTables(database), schemaTables);
      assert.deepEqual(await appliedMigrations(database), expectedMigrations());
      const [row] = await database.query<{ total: number }>('select count(*)::int as total from users');
      assert.equal(row?.total, 0);
    });
  });
}

describe('concurrent migrators on PostgreSQL', { skip: !process.env.TEST_DATABASE_URL, timeout: 60_000 }, () => {
  let url: string;
  const databases: Database[] = [];
  before(async () => {
    url = await createPostgresDatabase();
  });
  after(async () => {
    await Promise.all(databases.map((database) => database.close()));
    if (url) await dropPostgresDatabase(url);
  });

  it('all succeed and apply each migration exactly once', async () => {
    databases.push(...(await Promise.all([1, 2, 3, 4].map(() => openPostgres(url, 2)))));
    const results = await Promise.allSettled(databases.map((database) => migrate(database)));
    for (const result of results)
      assert.equal(result.status, 'fulfilled', String((result as { reason?: unknown }).reason));
    assert.deepEqual(await appliedMigrations(databases[0]!), expectedMigrations());
    assert.deepEqual(await publicTables(databases[0]!), schemaTables);
  });
});

describe('schema drift', { timeout: 60_000 }, () => {
  const run = promisify(execFile);
  let directory: string;
  before(() => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'lvlup-drift-'));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  /** Runs drizzle-kit generate against a copy of the migrations; answers the .sql files it left. */
  async function generate(folder: string, schemaFile: string): Promise<{ files: string[]; output: string }> {
    mkdirSync(folder);
    cpSync(migrationsFolder, path.join(folder, 'migrations'), { recursive: true });
    // the copied config imports drizzle-kit, resolved from here
    symlinkSync(path.join(root, 'node_modules'), path.join(folder, 'node_modules'), 'dir');
    const original = readFileSync(path.join(root, 'drizzle.config.ts'), 'utf8');
    assert.match(original, /schema: '\.\/src\/db\/schema\.ts'/);
    assert.match(original, /out: '\.\/migrations'/);
    writeFileSync(
      path.join(folder, 'drizzle.config.ts'),
      original.replace("'./src/db/schema.ts'", JSON.stringify(schemaFile)),
    );
    const { stdout, stderr } = await run(path.join(root, 'node_modules', '.bin', 'drizzle-kit'), ['generate'], {
      cwd: folder,
    });
    const output = `${stdout}\n${stderr}`;
    // drizzle-kit exits 0 even when it fails, so look at what it said
    assert.doesNotMatch(output, /Error|ENOENT/, output);
    return { files: readdirSync(path.join(folder, 'migrations')).filter((file) => file.endsWith('.sql')), output };
  }

  const committed = () => readdirSync(migrationsFolder).filter((file) => file.endsWith('.sql'));

  it('finds no schema change without a committed migration', async () => {
    const { files, output } = await generate(path.join(directory, 'real'), path.join(root, 'src', 'db', 'schema.ts'));
    assert.deepEqual(files.sort(), committed().sort(), `run npm run db:generate and commit the migration:\n${output}`);
    assert.match(output, /No schema changes/);
  });

  it('would notice a schema change (the check itself works)', async () => {
    const folder = path.join(directory, 'changed');
    const changedSchema = path.join(directory, 'changed-schema.ts');
    cpSync(path.join(root, 'src', 'db', 'schema.ts'), changedSchema);
    // the barrel re-exports the per-domain files beside it
    cpSync(path.join(root, 'src', 'db', 'schema'), path.join(directory, 'schema'), { recursive: true });
    appendFileSync(
      changedSchema,
      "\nimport { pgTable as probeTable, text as probeText } from 'drizzle-orm/pg-core';\n" +
        "export const driftProbe = probeTable('drift_probe', { id: probeText('id').primaryKey() });\n",
    );
    // the schema copy resolves drizzle-orm through the same node_modules link
    symlinkSync(path.join(root, 'node_modules'), path.join(directory, 'node_modules'), 'dir');
    const { files } = await generate(folder, changedSchema);
    assert.equal(files.length, committed().length + 1);
    const added = files.find((file) => !committed().includes(file))!;
    assert.match(readFileSync(path.join(folder, 'migrations', added), 'utf8'), /CREATE TABLE "drift_probe"/);
  });
});
