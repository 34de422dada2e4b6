// What the Sandbox does when it cannot isolate: in SANDBOX_MODE=auto a missing bubblewrap means nothing
// runs (a real absent binary through SANDBOX_BWRAP_PATH, since this machine has bubblewrap); process mode
// runs only when chosen, never as root, with none of the server's environment.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { createUser } from '../../src/accounts/user-store.js';
import { sandboxExperiments, sandboxRuns, tasks } from '../../src/db/schema.js';
import { createTestApp, eventually, registerRepository, type TestApp } from '../support/app.js';
import { databaseTargets } from '../support/database.js';
import { createRepository } from '../support/repository-fixtures.js';

const SECRET = `lvlup-server-secret-${randomBytes(8).toString('hex')}`;
// The server runs in this process: its environment is this one.
process.env.LVLUP_TEST_SERVER_SECRET = SECRET;
const isRoot = process.getuid?.() === 0;

const packageJson = (testScript: string) =>
  JSON.stringify({ name: 'calc', private: true, scripts: { test: testScript } }, null, 2) + '\n';

interface Proposal {
  id: string;
  status: string;
  test_results: Record<string, unknown> | null;
}

interface LogLine {
  level?: number;
  msg?: string;
}

async function workspaceWithProofs(): Promise<{ workspace: string; proofs: string }> {
  const workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-sandbox-gate-')));
  // reachable and writable by anyone, so that a command that runs at all leaves its proof here
  await chmod(workspace, 0o755);
  const proofs = path.join(workspace, 'proofs');
  await mkdir(proofs);
  await chmod(proofs, 0o777);
  return { workspace, proofs };
}

for (const target of databaseTargets()) {
  describe(`Sandbox without bubblewrap in SANDBOX_MODE=auto on ${target}`, () => {
    let t: TestApp;
    let workspace: string;
    let proofs: string;
    let folder: string;
    let repositoryId: string;
    let reviewer: string;
    let reader: string;
    const baseScript = () => `echo base > ${proofs}/base`;

    before(async () => {
      ({ workspace, proofs } = await workspaceWithProofs());
      t = await createTestApp(target, {
        environment: {
          LVLUP_REPO_ROOTS: workspace,
          LVLUP_DATA_DIR: path.join(workspace, 'data'),
          SANDBOX_BWRAP_PATH: path.join(workspace, 'no-such-bwrap'),
        },
        worker: { pollIntervalMs: 100 },
      });
      // the attacker's credential: a reviewer's scopes, nothing more
      reviewer = await t.createKey(['proposals:read', 'proposals:write']);
      reader = await t.createKey(['proposals:read', 'agents:read', 'repos:read']);
      folder = path.join(workspace, 'calc');
      await createRepository(folder, { 'package.json': packageJson(baseScript()) });
      repositoryId = await registerRepository(t, folder);
    });
    after(async () => {
      await t.close();
      await rm(workspace, { recursive: true, force: true });
    });

    it('logs a warning at start-up naming the fix', async () => {
      const warning = await eventually(
        t.logged,
        async () =>
          (t.logs as LogLine[]).find((line) => line.level === 40 && /sandbox unavailable/.test(line.msg ?? '')),
        60_000,
      );
      assert.match(warning.msg!, /no-such-bwrap/);
      assert.match(warning.msg!, /install bubblewrap/);
      assert.match(warning.msg!, /SANDBOX_MODE=process/);
    });

    it('answers 503 in readiness for the sandbox, with the reason and the fix', async () => {
      const ready = await t.request({ method: 'GET', url: '/health/ready' });
      assert.equal(ready.statusCode, 503, ready.body);
      const body = ready.json();
      assert.equal(body.checks.sandbox.status, 'down');
      assert.ok(body.down.includes('sandbox'), ready.body);
      assert.equal(body.sandbox.status, 'unavailable');
      assert.equal(body.sandbox.mode, 'auto');
      assert.equal(body.sandbox.isolation, null);
      assert.match(body.sandbox.reason, /bubblewrap not found/);
      assert.match(body.sandbox.fix, /install bubblewrap/);
      assert.match(body.sandbox.fix, /SANDBOX_MODE=process/);
    });

    it("runs nothing of a reviewer's changed test script: the proposal waits with the sandbox_unavailable gate", async () => {
      const created = await t.request({
        method: 'POST',
        url: '/proposals/',
        key: reviewer,
        payload: {
          ai_type: 'imperium',
          repository_id: repositoryId,
          file_path: 'package.json',
          code_before: packageJson(baseScript()),
          code_after: packageJson(`echo changed > ${proofs}/changed; id -u >> ${proofs}/changed`),
          description: 'change the test script',
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      const proposal = created.json<Proposal>();

      // Its sandbox task ends for good, without a retry, saying why.
      const task = await eventually(
        t,
        async () => {
          const [row] = await t.database.orm
            .select()
            .from(tasks)
            .where(eq(tasks.idempotencyKey, `sandbox:proposal:${proposal.id}`));
          return row && ['succeeded', 'failed', 'cancelled'].includes(row.status) ? row : undefined;
        },
        60_000,
      );
      assert.equal(task.status, 'failed', JSON.stringify(task));
      assert.equal(task.errorCode, 'sandbox_unavailable');
      assert.match(task.errorMessage ?? '', /install bubblewrap/);
      assert.equal(task.attempts, 1, 'not retried');

      assert.equal(existsSync(path.join(proofs, 'base')), false, 'the base commit’s checks ran');
      assert.equal(existsSync(path.join(proofs, 'changed')), false, 'the proposal’s test script ran');
      const runs = await t.database.orm.select().from(sandboxRuns).where(eq(sandboxRuns.repositoryId, repositoryId));
      assert.equal(runs.length, 0);
      const waiting = (
        await t.request({ method: 'GET', url: `/proposals/${proposal.id}`, key: reader })
      ).json<Proposal>();
      assert.equal(waiting.status, 'pending');
      assert.equal(waiting.test_results, null);

      await t.request({
        method: 'PATCH',
        url: `/api/v1/repositories/${repositoryId}`,
        key: t.adminKey,
        payload: { policy: { auto_apply: true, auto_apply_min_confidence: 0 } },
      });
      const blocked = await t.request({ method: 'POST', url: `/proposals/${proposal.id}/auto-apply`, key: t.adminKey });
      assert.equal(blocked.statusCode, 409, blocked.body);
      const gates = blocked.json().failed_gates as { gate: string; detail: string }[];
      const gate = gates.find((failed) => failed.gate === 'sandbox_unavailable');
      assert.ok(gate, blocked.body);
      assert.match(gate.detail, /bubblewrap not found/);
      assert.match(gate.detail, /SANDBOX_MODE=process/);
      assert.ok(!gates.some((failed) => failed.gate === 'tests'), blocked.body);
    });

    it('refuses experiments with 503 sandbox_unavailable, and only to the maintainer role at all', async () => {
      const payload = { repository_id: repositoryId, command: `echo experiment > ${proofs}/experiment`, runs: 1 };
      const maintainer = await createUser(t.database.orm, {
        email: `maintainer-${target}@example.com`,
        password: 'a long enough password',
        role: 'maintainer',
      });
      const reviewerUser = await createUser(t.database.orm, {
        email: `reviewer-${target}@example.com`,
        password: 'a long enough password',
        role: 'reviewer',
      });
      const scopes = ['agents:run', 'agents:read', 'proposals:write'] as const;
      const reviewerKey = await t.createKey([...scopes], { userId: reviewerUser.id });
      const forbidden = await t.request({ method: 'POST', url: '/sandbox/experiments', key: reviewerKey, payload });
      assert.equal(forbidden.statusCode, 403, forbidden.body);

      const maintainerKey = await t.createKey([...scopes], { userId: maintainer.id });
      const refused = await t.request({ method: 'POST', url: '/sandbox/experiments', key: maintainerKey, payload });
      assert.equal(refused.statusCode, 503, refused.body);
      assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
      assert.equal(refused.json().code, 'sandbox_unavailable');
      assert.match(refused.json().reason, /bubblewrap not found/);
      assert.match(refused.json().fix, /SANDBOX_MODE=process/);
      const stored = await t.database.orm
        .select()
        .from(sandboxExperiments)
        .where(eq(sandboxExperiments.repositoryId, repositoryId));
      assert.equal(stored.length, 0);
      assert.equal(existsSync(path.join(proofs, 'experiment')), false);
    });
  });

  describe(`Sandbox in SANDBOX_MODE=process (chosen) on ${target}`, () => {
    let t: TestApp;
    let workspace: string;
    let folder: string;
    let repositoryId: string;
    let writer: string;
    let reader: string;

    before(async () => {
      ({ workspace } = await workspaceWithProofs());
      t = await createTestApp(target, {
        environment: {
          LVLUP_REPO_ROOTS: workspace,
          LVLUP_DATA_DIR: path.join(workspace, 'data'),
          SANDBOX_MODE: 'process',
        },
        worker: { pollIntervalMs: 100 },
      });
      writer = await t.createKey(['proposals:read', 'proposals:write']);
      reader = await t.createKey(['proposals:read', 'agents:read', 'repos:read']);
      folder = path.join(workspace, 'calc');
      await createRepository(folder, { 'lib.js': 'exports.one = 1;\n' });
      repositoryId = await registerRepository(t, folder);
      const patched = await t.request({
        method: 'PATCH',
        url: `/api/v1/repositories/${repositoryId}`,
        key: t.adminKey,
        payload: { check_commands: ['id -u; env; test -z "$LVLUP_TEST_SERVER_SECRET"'] },
      });
      assert.equal(patched.statusCode, 200, patched.body);
    });
    after(async () => {
      await t.close();
      await rm(workspace, { recursive: true, force: true });
    });

    it('warns at start-up and reports unisolated in readiness', async () => {
      const warning = await eventually(
        t.logged,
        async () =>
          (t.logs as LogLine[]).find((line) => line.level === 40 && /SANDBOX_MODE=process/.test(line.msg ?? '')),
        60_000,
      );
      assert.match(warning.msg!, /unisolated/);
      const ready = await t.request({ method: 'GET', url: '/health/ready' });
      assert.equal(ready.statusCode, 200, ready.body);
      assert.equal(ready.json().sandbox.status, 'unisolated');
      assert.equal(ready.json().sandbox.isolation, 'none');
    });

    it("runs a check without the server's environment, and not as root", async () => {
      const created = await t.request({
        method: 'POST',
        url: '/proposals/',
        key: writer,
        payload: {
          ai_type: 'imperium',
          repository_id: repositoryId,
          file_path: 'lib.js',
          code_before: 'exports.one = 1;\n',
          code_after: 'exports.one = 1; // unchanged\n',
          description: 'a comment',
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      const done = await eventually(
        t,
        async () => {
          const proposal = (
            await t.request({ method: 'GET', url: `/proposals/${created.json().id}`, key: reader })
          ).json<Proposal>();
          return ['test-passed', 'test-failed'].includes(proposal.status) ? proposal : undefined;
        },
        60_000,
      );
      assert.equal(done.test_results!.isolation, 'none');
      const run = (
        await t.request({ method: 'GET', url: `/sandbox/runs/${String(done.test_results!.run_id)}`, key: reader })
      ).json();
      const output = String(run.results[0].output_head) + String(run.results[0].output_tail);
      assert.ok(!output.includes(SECRET), 'the server’s secret is visible to the check');
      assert.ok(!output.includes('LVLUP_TEST_SERVER_SECRET'));
      assert.doesNotMatch(output, /^(DATABASE_URL|REDIS_URL|SECRET_KEY|GITHUB_TOKEN)=/m);
      assert.equal(run.results[0].exit_code, 0, output);
      assert.equal(done.status, 'test-passed');
      if (isRoot) assert.notEqual(output.split('\n')[0], '0', 'the check ran as root');
    });
  });
}
