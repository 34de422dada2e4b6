import { SANDBOX_PREFIX } from '../../src/sandbox/work-tree.js';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { agents, events, sandboxRuns, tasks } from '../../src/db/schema.js';
import { createTestApp, eventually, type TestApp, registerRepository } from '../support/app.js';
import { databaseTargets } from '../support/database.js';
import { commitFiles, createRepository, gitIn } from '../support/repository-fixtures.js';

// A small package whose test imports an untracked, installed dependency: passing proves the work tree
// sees the repository's node_modules.
const LIB = 'exports.add = (a, b) => a + b;\n';
const TEST = [
  "const assert = require('node:assert');",
  "const { add } = require('./lib.js');",
  "const { double } = require('installed-dependency');",
  'assert.strictEqual(add(1, 2), 3);',
  'assert.strictEqual(double(2), 4);',
  "console.log('all tests passed');",
  '',
].join('\n');
const PACKAGE = JSON.stringify({ name: 'calc', private: true, scripts: { test: 'node test.js' } }, null, 2) + '\n';

interface Proposal {
  id: string;
  status: string;
  test_results: Record<string, unknown> | null;
}

for (const target of databaseTargets()) {
  describe(`Sandbox on ${target}`, () => {
    let t: TestApp;
    let workspace: string;
    let folder: string;
    let repositoryId: string;
    let writer: string;
    let reader: string;
    let runner: string;

    before(async () => {
      workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-sandbox-test-')));
      t = await createTestApp(target, {
        environment: { LVLUP_REPO_ROOTS: workspace, LVLUP_DATA_DIR: path.join(workspace, 'data') },
        worker: { pollIntervalMs: 100 },
      });
      writer = await t.createKey(['proposals:read', 'proposals:write', 'agents:read', 'repos:write']);
      reader = await t.createKey(['proposals:read', 'agents:read', 'repos:read']);
      runner = await t.createKey(['agents:read', 'agents:run', 'proposals:read']);
      folder = path.join(workspace, 'calc');
      await createRepository(folder, {
        'package.json': PACKAGE,
        'lib.js': LIB,
        'test.js': TEST,
        '.gitignore': 'node_modules/\n',
      });
      await mkdir(path.join(folder, 'node_modules/installed-dependency'), { recursive: true });
      await writeFile(
        path.join(folder, 'node_modules/installed-dependency/index.js'),
        'exports.double = (x) => x * 2;\n',
      );
      repositoryId = await registerRepository(t, folder);
    });
    after(async () => {
      await t.close();
      await rm(workspace, { recursive: true, force: true });
    });

    const propose = async (libAfter: string, libBefore = LIB) => {
      const response = await t.request({
        method: 'POST',
        url: '/proposals/',
        key: writer,
        payload: {
          ai_type: 'imperium',
          repository_id: repositoryId,
          file_path: 'lib.js',
          code_before: libBefore,
          code_after: libAfter,
          description: 'change lib.js',
        },
      });
      assert.equal(response.statusCode, 201, response.body);
      return response.json<Proposal>();
    };
    const settled = (id: string) =>
      eventually(
        t,
        async () => {
          const proposal = (await t.request({ method: 'GET', url: `/proposals/${id}`, key: reader })).json<Proposal>();
          return ['test-passed', 'test-failed'].includes(proposal.status) ? proposal : undefined;
        },
        60_000,
      );

    it('detects the checks from package.json and shows them; configured commands win', async () => {
      const detected = await t.request({
        method: 'GET',
        url: `/api/v1/repositories/${repositoryId}/checks`,
        key: reader,
      });
      assert.equal(detected.statusCode, 200, detected.body);
      assert.deepEqual(detected.json().commands, ['npm test']);
      assert.equal(detected.json().source, 'detected');
      assert.equal(detected.json().commit, await gitIn(folder, 'rev-parse', 'HEAD'));

      const missing = await t.request({
        method: 'GET',
        url: `/api/v1/repositories/${repositoryId}/checks?ref=no-such-branch`,
        key: reader,
      });
      assert.equal(missing.statusCode, 404, missing.body);
    });

    it('passes a harmless change, reusing one baseline per commit, with isolation reported', async () => {
      const proposal = await propose('// adds two numbers\nexports.add = (a, b) => a + b;\n');
      const done = await settled(proposal.id);
      assert.equal(done.status, 'test-passed');
      const results = done.test_results!;
      assert.equal(results.verdict, 'passed');
      assert.equal(results.isolation, 'bwrap');
      assert.equal(results.checks_source, 'detected');
      const checks = results.checks as { command: string; exit_code: number; baseline_exit_code: number }[];
      assert.deepEqual(
        checks.map((check) => [check.command, check.exit_code, check.baseline_exit_code]),
        [['npm test', 0, 0]],
      );

      const runs = await t.request({ method: 'GET', url: `/sandbox/runs?proposal_id=${proposal.id}`, key: reader });
      assert.equal(runs.statusCode, 200, runs.body);
      const [run] = runs.json();
      assert.equal(run.kind, 'proposal');
      assert.equal(run.status, 'passed');
      assert.match(run.results[0].output_head + run.results[0].output_tail, /all tests passed/);
      assert.equal(run.results[0].truncated, false);
      assert.ok(run.overhead_ms >= 0 && run.overhead_ms <= run.duration_ms);

      const second = await settled((await propose('exports.add = (a, b) => b + a;\n')).id);
      assert.equal(second.status, 'test-passed');
      const baselines = await t.database.orm
        .select()
        .from(sandboxRuns)
        .where(and(eq(sandboxRuns.repositoryId, repositoryId), eq(sandboxRuns.kind, 'baseline')));
      assert.equal(baselines.length, 1, 'one baseline for the commit, reused');
      assert.equal(second.test_results!.baseline_run_id, baselines[0]!.id);

      // Events are announced after the state change commits, so the last one may still be on its way.
      const published = await eventually(t, async () => {
        const rows = await t.database.orm
          .select({ type: events.type })
          .from(events)
          .where(inArray(events.type, ['proposal.testing', 'proposal.test_passed']));
        const count = (type: string) => rows.filter((event) => event.type === type).length;
        return count('proposal.testing') >= 2 && count('proposal.test_passed') >= 2 ? rows : undefined;
      });
      assert.ok(published.length >= 4);
    });

    it('fails a change that breaks the tests (a regression), keeping its output', async () => {
      const proposal = await propose('exports.add = (a, b) => a - b;\n');
      const done = await settled(proposal.id);
      assert.equal(done.status, 'test-failed');
      assert.equal(done.test_results!.verdict, 'regression');
      assert.deepEqual(done.test_results!.regressions, ['npm test']);
      const run = (
        await t.request({ method: 'GET', url: `/sandbox/runs/${String(done.test_results!.run_id)}`, key: reader })
      ).json();
      assert.notEqual(run.results[0].exit_code, 0);
      assert.match(run.results[0].output_head + run.results[0].output_tail, /AssertionError/);
    });

    it('leaves the repository as it was: no work tree, no changed file', async () => {
      assert.equal(await gitIn(folder, 'status', '--porcelain'), '');
      const worktrees = (await gitIn(folder, 'worktree', 'list', '--porcelain'))
        .split('\n')
        .filter((line) => line.startsWith('worktree '));
      assert.equal(worktrees.length, 1, worktrees.join(', '));
      // Other suites (and their sandbox probes) may run at the same time: only this process's folders
      // (named `lvlup-sandbox-<host>.<pid>.<start>-…`, src/git/scratch-folders.ts) are judged.
      const ours = (await readdir(os.tmpdir())).filter(
        (name) => name.startsWith(SANDBOX_PREFIX) && name.includes(`.${process.pid}.`),
      );
      for (const name of ours) {
        const entries = await readdir(path.join(os.tmpdir(), name)).catch(() => []);
        assert.ok(entries.length <= 1, `${name} holds ${entries.join(', ')}`);
      }
    });

    it('does not blame a change for a failure the base already had, and credits a fix', async () => {
      const head = await commitFiles(folder, { 'lib.js': 'exports.add = (a, b) => a * b;\n' }, 'break add');
      const stillFailing = await settled(
        (await propose('// still broken\nexports.add = (a, b) => a * b;\n', 'exports.add = (a, b) => a * b;\n')).id,
      );
      assert.equal(stillFailing.status, 'test-passed');
      assert.equal(stillFailing.test_results!.verdict, 'still-failing');
      assert.equal(stillFailing.test_results!.commit, head);

      const fixed = await settled((await propose(LIB, 'exports.add = (a, b) => a * b;\n')).id);
      assert.equal(fixed.status, 'test-passed');
      assert.equal(fixed.test_results!.verdict, 'fixed');
      assert.deepEqual(fixed.test_results!.fixed, ['npm test']);

      // auto-apply needs a proven pass: still-failing is named as the failed tests gate
      await t.request({
        method: 'PATCH',
        url: `/api/v1/repositories/${repositoryId}`,
        key: t.adminKey,
        payload: { policy: { auto_apply: true, auto_apply_min_confidence: 0 } },
      });
      const blocked = await t.request({ method: 'POST', url: `/proposals/${stillFailing.id}/auto-apply`, key: writer });
      assert.equal(blocked.statusCode, 409, blocked.body);
      assert.ok(
        blocked.json().failed_gates.some((gate: { gate: string }) => gate.gate === 'tests'),
        blocked.body,
      );
    });

    it('runs configured checks instead of detected ones', async () => {
      const patched = await t.request({
        method: 'PATCH',
        url: `/api/v1/repositories/${repositoryId}`,
        key: t.adminKey,
        payload: { check_commands: ['node -e "process.exit(0)"', 'node test.js'] },
      });
      assert.equal(patched.statusCode, 200, patched.body);
      const checks = (
        await t.request({ method: 'GET', url: `/api/v1/repositories/${repositoryId}/checks`, key: reader })
      ).json();
      assert.equal(checks.source, 'configured');
      assert.deepEqual(checks.commands, ['node -e "process.exit(0)"', 'node test.js']);
      assert.deepEqual(checks.detected, ['npm test']);
      const done = await settled(
        (await propose('exports.add = (a, b) => a + b; // configured\n', 'exports.add = (a, b) => a * b;\n')).id,
      );
      assert.equal(done.test_results!.checks_source, 'configured');
      assert.equal((done.test_results!.checks as unknown[]).length, 2);
    });

    it('times a command on the base and with a proposal, alternating', async () => {
      const proposal = await propose(
        'exports.add = (a, b) => { for (let i = 0; i < 1e6; i++); return a + b; };\n',
        'exports.add = (a, b) => a * b;\n',
      );
      const created = await t.request({
        method: 'POST',
        url: '/sandbox/experiments',
        key: runner,
        payload: {
          repository_id: repositoryId,
          proposal_id: proposal.id,
          command: 'node -e "require(\'./lib.js\')"',
          runs: 3,
        },
      });
      assert.equal(created.statusCode, 202, created.body);
      assert.equal(created.json().status, 'queued');
      assert.equal(created.headers.location, `/sandbox/experiments/${created.json().id}`);
      const experiment = await eventually(
        t,
        async () => {
          const body = (
            await t.request({ method: 'GET', url: `/sandbox/experiments/${created.json().id}`, key: reader })
          ).json();
          return ['succeeded', 'failed'].includes(body.status) ? body : undefined;
        },
        60_000,
      );
      assert.equal(experiment.status, 'succeeded', experiment.error);
      assert.equal(experiment.base_timings_ms.length, 3);
      assert.equal(experiment.proposal_timings_ms.length, 3);
      assert.ok(experiment.base.min <= experiment.base.median && experiment.base.median <= experiment.base.max);
      assert.equal(experiment.ratio, Math.round((experiment.proposal.median / experiment.base.median) * 1000) / 1000);
      assert.equal(experiment.isolation, 'bwrap');

      const listed = await t.request({
        method: 'GET',
        url: `/sandbox/experiments?repository_id=${repositoryId}`,
        key: reader,
      });
      assert.equal(listed.headers['x-total-count'], '1');

      const failing = await t.request({
        method: 'POST',
        url: '/sandbox/experiments',
        key: runner,
        payload: { repository_id: repositoryId, command: 'exit 3', runs: 2 },
      });
      const failed = await eventually(
        t,
        async () => {
          const body = (
            await t.request({ method: 'GET', url: `/sandbox/experiments/${failing.json().id}`, key: reader })
          ).json();
          return ['succeeded', 'failed'].includes(body.status) ? body : undefined;
        },
        60_000,
      );
      assert.equal(failed.status, 'failed');
      assert.match(failed.error, /Run 1 on the base exited with 3/);
    });

    it('refuses bad experiments with a clear 4xx', async () => {
      const post = (payload: Record<string, unknown>) =>
        t.request({ method: 'POST', url: '/sandbox/experiments', key: runner, payload });
      const badRuns = await post({ repository_id: repositoryId, command: 'true', runs: 0 });
      assert.equal(badRuns.statusCode, 400);
      assert.equal(badRuns.json().errors[0].field, 'body.runs');
      const unknownRepository = await post({ repository_id: '00000000-0000-4000-8000-000000000000', command: 'true' });
      assert.deepEqual([unknownRepository.statusCode, unknownRepository.json().code], [404, 'repository_not_found']);
      const foreign = await t.request({
        method: 'POST',
        url: '/proposals/',
        key: writer,
        payload: { ai_type: 'imperium', file_path: 'x.js', code_before: 'a', code_after: 'b' },
      });
      const notHere = await post({ repository_id: repositoryId, proposal_id: foreign.json().id, command: 'true' });
      assert.equal(notHere.statusCode, 422, notHere.body);
      assert.equal(
        (await t.request({ method: 'POST', url: '/sandbox/experiments', key: reader, payload: {} })).statusCode,
        403,
      );
    });

    it('reports how it isolates in readiness', async () => {
      const ready = await t.request({ method: 'GET', url: '/health/ready' });
      assert.equal(ready.statusCode, 200, ready.body);
      assert.equal(ready.json().sandbox.status, 'isolated');
      assert.equal(ready.json().checks.sandbox.status, 'up');
    });

    it('lets a reviewer reject a proposal under test: its test task is cancelled and changes nothing', async () => {
      const taskOf = async (proposalId: string) =>
        (
          await t.database.orm
            .select()
            .from(tasks)
            .where(eq(tasks.idempotencyKey, `sandbox:proposal:${proposalId}`))
        )[0]!;
      const current = await readFile(path.join(folder, 'lib.js'), 'utf8');

      // A waiting test (the sandbox agent is paused) is cancelled at once.
      const [sandbox] = await t.database.orm.select().from(agents).where(eq(agents.name, 'sandbox'));
      const paused = await t.request({ method: 'POST', url: `/api/v1/agents/${sandbox!.id}/pause`, key: runner });
      assert.equal(paused.statusCode, 200, paused.body);
      const waiting = await propose('// waits\nexports.add = (a, b) => a + b;\n', current);
      assert.equal((await taskOf(waiting.id)).status, 'queued');
      const rejectedWaiting = await t.request({ method: 'POST', url: `/proposals/${waiting.id}/reject`, key: writer });
      assert.equal(rejectedWaiting.statusCode, 200, rejectedWaiting.body);
      assert.equal((await taskOf(waiting.id)).status, 'cancelled');
      const resumed = await t.request({ method: 'POST', url: `/api/v1/agents/${sandbox!.id}/resume`, key: runner });
      assert.equal(resumed.statusCode, 200, resumed.body);

      // A running test: with this change the checks never finish on their own (an interval keeps node alive).
      const hanging = await propose('exports.add = (a, b) => a + b;\nsetInterval(() => {}, 1 << 30);\n', current);
      const task = await taskOf(hanging.id);
      await eventually(
        t,
        async () => {
          const logs = (await t.request({ method: 'GET', url: `/api/v1/tasks/${task.id}/logs`, key: runner })).json<{
            items: { message: string }[];
          }>();
          return logs.items.some((line) => line.message.startsWith('running the checks with the change applied'))
            ? true
            : undefined;
        },
        60_000,
      );
      const rejected = await t.request({
        method: 'POST',
        url: `/proposals/${hanging.id}/reject`,
        key: writer,
        payload: { reason: 'not_needed' },
      });
      assert.equal(rejected.statusCode, 200, rejected.body);
      assert.equal(rejected.json().status, 'rejected');
      const cancelled = await eventually(
        t,
        async () => {
          const row = await taskOf(hanging.id);
          return ['succeeded', 'failed', 'cancelled'].includes(row.status) ? row : undefined;
        },
        60_000,
      );
      assert.equal(cancelled.status, 'cancelled');
      assert.ok(cancelled.cancelRequestedAt);

      // The test's end (the task is over) left the proposal as the reviewer decided.
      const after = (await t.request({ method: 'GET', url: `/proposals/${hanging.id}`, key: reader })).json<
        Proposal & { history: { to: string }[] }
      >();
      assert.equal(after.status, 'rejected');
      assert.equal(after.test_results, null);
      assert.deepEqual(
        after.history.map((entry) => entry.to),
        ['pending', 'testing', 'rejected'],
      );
      const verdicts = await t.database.orm
        .select({ type: events.type })
        .from(events)
        .where(
          and(
            inArray(events.type, ['proposal.test_passed', 'proposal.test_failed']),
            sql`${events.data} ->> 'id' = ${hanging.id}`,
          ),
        );
      assert.deepEqual(verdicts, []);
    });
  });
}
