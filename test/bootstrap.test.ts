import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { count } from 'drizzle-orm';
import { authenticateApiKey } from '../src/accounts/api-key-store.js';
import { bootstrapAdminAccess } from '../src/accounts/bootstrap.js';
import { createUser } from '../src/accounts/user-store.js';
import { apiKeys } from '../src/db/schema.js';
import { createTestDatabase, databaseTargets, type TestDatabase } from './support/database.js';

const CONFIGURED = `lvl_${'k'.repeat(40)}`;

for (const target of databaseTargets()) {
  describe(`first-start admin access on ${target}`, () => {
    let fresh: TestDatabase;
    let configured: TestDatabase;
    let populated: TestDatabase;
    before(async () => {
      [fresh, configured, populated] = await Promise.all([
        createTestDatabase(target),
        createTestDatabase(target),
        createTestDatabase(target),
      ]);
    });
    after(async () => {
      await Promise.all([fresh.cleanup(), configured.cleanup(), populated.cleanup()]);
    });

    const keyCount = async (database: TestDatabase) =>
      (await database.database.orm.select({ total: count() }).from(apiKeys))[0]?.total;

    it('creates exactly one admin key on an empty installation, even when starts race', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () => bootstrapAdminAccess(fresh.database, undefined)),
      );
      const created = outcomes.filter((outcome) => outcome.kind === 'created');
      assert.equal(created.length, 1);
      assert.equal(await keyCount(fresh), 1);
      const secret = (created[0] as { secret: string }).secret;
      assert.match(secret, /^lvl_/);
      const principal = await authenticateApiKey(fresh.database.orm, secret, new Date());
      assert.deepEqual([...(principal?.scopes ?? [])], ['admin']);
      assert.deepEqual(await bootstrapAdminAccess(fresh.database, undefined), { kind: 'none' });
    });

    it('registers LVLUP_ADMIN_API_KEY once and never prints a generated key', async () => {
      const first = await bootstrapAdminAccess(configured.database, CONFIGURED);
      const second = await bootstrapAdminAccess(configured.database, CONFIGURED);
      assert.equal(first.kind, 'configured');
      assert.deepEqual(second, first);
      assert.equal(await keyCount(configured), 1);
      const principal = await authenticateApiKey(configured.database.orm, CONFIGURED, new Date());
      assert.ok(principal?.scopes.has('admin'));
    });

    it('creates nothing once users exist', async () => {
      await createUser(populated.database.orm, {
        email: 'first@example.com',
        password: 'a long enough password',
        role: 'admin',
      });
      assert.deepEqual(await bootstrapAdminAccess(populated.database, undefined), { kind: 'none' });
      assert.equal(await keyCount(populated), 0);
    });
  });
}
