import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Database } from '../src/db/database.js';
import { appliedMigrations, committedMigrations, migrate } from '../src/db/migrate.js';
import { openPglite } from '../src/db/pglite.js';
import { openPostgres } from '../src/db/postgres.js';
import { createPostgresDatabase, databaseTargets, dropPostgresDatabase } from './support/database.js';

// The oldest released schema is migration 0000 (accounts, keys, audit, settings). A database created by it
// and used must come through every later migration with its rows unchanged.
const TABLES_OF_0000 = ['api_keys', 'audit_log', 'login_failures', 'refresh_tokens', 'settings', 'users'];

async function snapshot(database: Database): Promise<Record<string, Record<string, unknown>[]>> {
  const rows: Record<string, Record<string, unknown>[]> = {};
  for (const table of TABLES_OF_0000) {
    rows[table] = (
      await database.query<{ row: Record<string, unknown> }>(`select to_jsonb(t) as row from ${table} t order by 1`)
    ).map((entry) => entry.row);
  }
  return rows;
}

for (const target of databaseTargets()) {
  describe(`upgrading a database of the oldest schema on ${target}`, { timeout: 120_000 }, () => {
    let database: Database;
    let url: string | undefined;
    before(async () => {
      if (target === 'pglite') {
        database = await openPglite(undefined);
      } else {
        url = await createPostgresDatabase();
        database = await openPostgres(url, 2);
      }
    });
    after(async () => {
      await database?.close();
      if (url) await dropPostgresDatabase(url);
    });

    it('keeps every row of 0000 through all later migrations', async () => {
      await migrate(database, { upTo: 1 });
      assert.equal((await appliedMigrations(database)).length, 1);
      const [user] = await database.query<{ id: string }>(
        `insert into users (email, password_hash, role, display_name, created_at, updated_at)
         values ('old@example.com', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', 'admin', 'Ölder — "user"',
                 '2025-11-01T10:00:00.5Z', '2025-11-02T10:00:00Z') returning id`,
      );
      await database.query(
        `insert into api_keys (name, prefix, key_hash, scopes, user_id, created_by, expires_at)
         values ('old key', 'lvl_abcd', 'hash-of-old-key', '{proposals:read,agents:run}', $1, 'cli', '2030-01-01T00:00:00Z')`,
        [user!.id],
      );
      await database.query(
        `insert into refresh_tokens (user_id, family_id, token_hash, expires_at)
         values ($1, gen_random_uuid(), 'refresh-hash', '2030-01-01T00:00:00Z')`,
        [user!.id],
      );
      await database.query(
        `insert into audit_log (actor_type, actor_id, action, target, status_code, details)
         values ('user', $1, 'keys create', 'k1', 201, '{"scopes":["proposals:read"],"note":"a\\nb"}'::jsonb),
                ('cli', null, 'users create', $1, null, null)`,
        [user!.id],
      );
      await database.query("insert into settings (key, value) values ('secret_key', 'x'), ('other', 'y')");
      await database.query(
        "insert into login_failures (key, failures, window_started_at) values ('ip:127.0.0.1', 3, '2025-11-01T00:00:00Z')",
      );
      const before = await snapshot(database);

      await migrate(database);

      assert.deepEqual(
        (await appliedMigrations(database)).map((migration) => migration.hash),
        committedMigrations().map((migration) => migration.hash),
      );
      const afterwards = await snapshot(database);
      for (const table of TABLES_OF_0000) {
        assert.equal(afterwards[table]!.length, before[table]!.length, table);
        // later migrations may add columns; the ones 0000 made keep their values
        afterwards[table]!.forEach((row, index) => {
          const original = before[table]![index]!;
          assert.deepEqual(
            Object.fromEntries(Object.keys(original).map((column) => [column, row[column]])),
            original,
            `${table} row ${index}`,
          );
        });
      }
      // the upgraded database works with the current schema: a new row lands beside the old ones
      await database.query("insert into audit_log (actor_type, action) values ('cli', 'after upgrade')");
      const [count] = await database.query<{ total: number }>('select count(*)::int as total from audit_log');
      assert.equal(count?.total, 3);
    });
  });
}
