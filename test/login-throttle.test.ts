import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { DEFAULT_ADDRESS_POLICY, ipKey, recordFailure } from '../src/accounts/login-throttle-store.js';
import { createUser } from '../src/accounts/user-store.js';
import { loginFailures } from '../src/db/schema.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

const PASSWORD = 'correct horse battery staple';

for (const target of databaseTargets()) {
  describe(`login throttling on ${target}`, () => {
    let t: TestApp;
    // The app's clock: tests move it instead of waiting for locks to pass.
    let now = new Date('2026-03-01T12:00:00Z');
    const advance = (seconds: number) => {
      now = new Date(now.getTime() + seconds * 1000);
    };
    before(async () => {
      t = await createTestApp(target, { now: () => now });
      for (const name of ['ann', 'ben', 'cat', 'dan'])
        await createUser(t.database.orm, { email: `${name}@example.com`, password: PASSWORD, role: 'viewer' });
    });
    after(() => t.close());

    const login = (email: string, password: string, remoteAddress: string) =>
      t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress });
    const retryAfter = (response: Awaited<ReturnType<typeof login>>) => {
      assert.equal(response.statusCode, 429, response.body);
      assert.equal(response.json().code, 'login_throttled');
      assert.equal(response.headers['retry-after'], String(response.json().retry_after));
      return Number(response.json().retry_after);
    };

    it("does not lock out another account's correct sign-in after many failures from one address", async () => {
      // 25 failures from one address, more than the old per-address limit of 20, spread over accounts.
      for (let attempt = 1; attempt <= 25; attempt++) {
        const email = attempt % 5 === 0 ? 'ann@example.com' : `nobody-${attempt}@example.com`;
        const response = await login(email, `wrong ${attempt}`, '10.1.0.1');
        assert.ok([401, 429].includes(response.statusCode), response.body);
      }
      const other = await login('ben@example.com', PASSWORD, '10.1.0.1');
      assert.equal(other.statusCode, 200, other.body);
    });

    it('backs off per account: 30 s after the 5th failure, doubling with each further one', async () => {
      for (let attempt = 1; attempt <= 4; attempt++) {
        assert.equal((await login('cat@example.com', `wrong ${attempt}`, '10.1.0.2')).statusCode, 401);
      }
      assert.equal((await login('cat@example.com', 'wrong 5', '10.1.0.2')).statusCode, 401);
      // Locked, the right password included, from any address.
      assert.equal(retryAfter(await login('cat@example.com', PASSWORD, '10.1.0.3')), 30);
      advance(20);
      assert.equal(retryAfter(await login('cat@example.com', PASSWORD, '10.1.0.3')), 10);
      advance(10);
      // The lock has passed; the next failure locks for twice as long.
      assert.equal((await login('cat@example.com', 'wrong 6', '10.1.0.2')).statusCode, 401);
      assert.equal(retryAfter(await login('cat@example.com', PASSWORD, '10.1.0.3')), 60);
      advance(60);
      assert.equal((await login('cat@example.com', 'wrong 7', '10.1.0.2')).statusCode, 401);
      assert.equal(retryAfter(await login('cat@example.com', PASSWORD, '10.1.0.3')), 120);
      // Other accounts are untouched meanwhile.
      assert.equal((await login('ben@example.com', PASSWORD, '10.1.0.2')).statusCode, 200);
      advance(120);
      const signedIn = await login('cat@example.com', PASSWORD, '10.1.0.3');
      assert.equal(signedIn.statusCode, 200, signedIn.body);
      const rows = await t.database.orm
        .select()
        .from(loginFailures)
        .where(eq(loginFailures.key, 'account:cat@example.com'));
      assert.equal(rows.length, 0, 'a successful sign-in clears the account');
      // Cleared: the next failure is a first one again, not a lock.
      assert.equal((await login('cat@example.com', 'wrong 8', '10.1.0.2')).statusCode, 401);
      assert.equal((await login('cat@example.com', PASSWORD, '10.1.0.3')).statusCode, 200);
    });

    it('gives concurrent wrong passwords no more guesses than sequential ones', async () => {
      await createUser(t.database.orm, { email: 'eve@example.com', password: PASSWORD, role: 'viewer' });
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, attempt) => login('eve@example.com', `wrong ${attempt}`, '10.1.0.20')),
      );
      const statuses = answers.map((answer) => answer.statusCode);
      // the 5th failure locks the account; every attempt queued behind it is refused without a guess
      assert.equal(statuses.filter((status) => status === 401).length, 5, JSON.stringify(statuses));
      assert.equal(statuses.filter((status) => status === 429).length, 35, JSON.stringify(statuses));
      const [row] = await t.database.orm
        .select()
        .from(loginFailures)
        .where(eq(loginFailures.key, 'account:eve@example.com'));
      assert.equal(row?.failures, 5);
    });

    it('locks an address only at a much higher threshold, and only that address', async () => {
      const address = '10.1.0.9';
      // Recorded directly: 99 failed sign-ins through HTTP would each cost a password hash.
      for (let failure = 1; failure < DEFAULT_ADDRESS_POLICY.freeFailures; failure++) {
        await recordFailure(t.database.orm, ipKey(address), DEFAULT_ADDRESS_POLICY, now);
      }
      assert.equal((await login('dan@example.com', PASSWORD, address)).statusCode, 200, 'one below the threshold');
      assert.equal((await login('nobody@example.com', 'wrong', address)).statusCode, 401);
      assert.equal(retryAfter(await login('dan@example.com', PASSWORD, address)), 900);
      assert.equal((await login('dan@example.com', PASSWORD, '10.1.0.10')).statusCode, 200);
      advance(900);
      assert.equal((await login('dan@example.com', PASSWORD, address)).statusCode, 200);
    });
  });
}
