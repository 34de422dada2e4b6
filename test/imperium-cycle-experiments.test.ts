import assert from 'node:assert/strict';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { proposals, sandboxExperiments } from '../src/db/schema.js';
import { createTestApp, eventually, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { createRepository } from './support/repository-fixtures.js';

// Python with a performance opportunity (py.set-membership, auto) and a benchmark exercising it.
const CLASSIFY = [
  'def classify(value):',
  '    if str(value) in [".js", ".ts", ".py", ".go", ".rs"]:',
  '        return "script"',
  '    return "other"',
  '',
].join('\n');
const BENCH = [
  'from classify import classify',
  '',
  'total = 0',
  'for i in range(20000):',
  '    if classify(i) == "script":',
  '        total += 1',
  'print(total)',
  '',
].join('\n');
interface Task {
  id: string;
  agent_type: string;
  status: string;
  trigger: string;
  input: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  priority: number;
  created_at: string;
}
interface Experiment {
  status: string;
  error: string | null;
  ratio: number | null;
  base_timings_ms: number[];
  base: Record<string, number> | null;
  proposal: Record<string, number> | null;
}
const FINAL = ['succeeded', 'failed', 'cancelled'];

for (const target of databaseTargets()) {
  describe(`Performance claims backed by Sandbox experiments on ${target}`, () => {
    let t: TestApp;
    let workspace: string;
    let repositoryId: string;
    let runner: string;

    before(async () => {
      workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-imperium-bench-')));
      t = await createTestApp(target, {
        environment: { LVLUP_REPO_ROOTS: workspace, LVLUP_DATA_DIR: path.join(workspace, 'data') },
        worker: { pollIntervalMs: 100 },
      });
      runner = await t.createKey(['agents:read', 'agents:run', 'proposals:read']);
      const folder = path.join(workspace, 'classify');
      await createRepository(folder, { 'classify.py': CLASSIFY, 'bench.py': BENCH });
      const registered = await t.request({
        method: 'POST',
        url: '/api/v1/repositories',
        key: t.adminKey,
        payload: { path: folder, check_commands: ['python3 bench.py'] },
      });
      assert.equal(registered.statusCode, 201, registered.body);
      repositoryId = registered.json().id as string;
      assert.equal(registered.json().policy.benchmark_command, null);
    });
    after(async () => {
      await t.close();
      await rm(workspace, { recursive: true, force: true });
    });

    it('sets a benchmark command through the policy, validated', async () => {
      const patch = (policy: Record<string, unknown>) =>
        t.request({
          method: 'PATCH',
          url: `/api/v1/repositories/${repositoryId}`,
          key: t.adminKey,
          payload: { policy },
        });
      const empty = await patch({ benchmark_command: '  ' });
      assert.equal(empty.statusCode, 400, empty.body);
      assert.equal(empty.json().errors[0].field, 'body.policy.benchmark_command');
      const set = await patch({ benchmark_command: 'python3 bench.py' });
      assert.equal(set.statusCode, 200, set.body);
      assert.equal(set.json().policy.benchmark_command, 'python3 bench.py');
      assert.equal(set.json().policy.auto_apply, false, 'other fields keep their value');
    });

    it('measures a performance proposal with an experiment and attaches its ratio to the proposal', async () => {
      const started = await t.request({
        method: 'POST',
        url: '/agents/imperium/run',
        key: runner,
        payload: { repository_id: repositoryId },
      });
      assert.equal(started.statusCode, 202, started.body);
      const run = await eventually(
        t,
        async () => {
          const task = (
            await t.request({ method: 'GET', url: `/api/v1/tasks/${started.json().id}`, key: runner })
          ).json<Task>();
          return FINAL.includes(task.status) ? task : undefined;
        },
        30_000,
      );
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      assert.equal(run.result!.proposals_created, 1);
      assert.equal(run.result!.experiments_created, 1);

      const [created] = await t.database.orm.select().from(proposals).where(eq(proposals.repositoryId, repositoryId));
      assert.equal(created?.ruleId, 'py.set-membership');
      assert.equal(created.category, 'performance');
      const [experiment] = await t.database.orm
        .select()
        .from(sandboxExperiments)
        .where(eq(sandboxExperiments.proposalId, created.id));
      assert.ok(experiment, 'an experiment for the proposal');
      assert.equal(experiment.command, 'python3 bench.py');
      assert.match(created.rationale ?? '', new RegExp(`Sandbox experiment ${experiment.id}`));

      const measured = await eventually(
        t,
        async () => {
          const response = await t.request({
            method: 'GET',
            url: `/sandbox/experiments/${experiment.id}`,
            key: runner,
          });
          const body = response.json<Experiment>();
          return ['succeeded', 'failed'].includes(body.status) ? body : undefined;
        },
        60_000,
      );
      assert.equal(measured.status, 'succeeded', measured.error ?? '');
      assert.equal(typeof measured.ratio, 'number');
      assert.equal(measured.base_timings_ms.length, 5);

      // The proposal carries the measurement next to Sandbox's verdict.
      const proposal = await eventually(
        t,
        async () => {
          const body = (await t.request({ method: 'GET', url: `/proposals/${created.id}`, key: runner })).json();
          return body.test_results?.experiment && body.test_results?.verdict ? body : undefined;
        },
        60_000,
      );
      assert.equal(proposal.test_results.verdict, 'passed');
      assert.equal(proposal.test_results.experiment.id, experiment.id);
      assert.equal(proposal.test_results.experiment.ratio, measured.ratio);
      assert.deepEqual(proposal.test_results.experiment.base, measured.base);
      assert.deepEqual(proposal.test_results.experiment.proposal, measured.proposal);
      assert.equal(proposal.confidence, created.confidence, 'the confidence is the rule’s, measured or not');

      // A second run proposes nothing new and measures nothing twice.
      const second = await t.request({
        method: 'POST',
        url: '/agents/imperium/run',
        key: runner,
        payload: { repository_id: repositoryId },
      });
      const secondRun = await eventually(
        t,
        async () => {
          const task = (
            await t.request({ method: 'GET', url: `/api/v1/tasks/${second.json().id}`, key: runner })
          ).json<Task>();
          return FINAL.includes(task.status) ? task : undefined;
        },
        30_000,
      );
      assert.equal(secondRun.result!.proposals_already_open, 1);
      assert.equal(secondRun.result!.experiments_created, 0);
      const all = await t.database.orm
        .select()
        .from(sandboxExperiments)
        .where(eq(sandboxExperiments.repositoryId, repositoryId));
      assert.equal(all.length, 1);
    });
  });
}
