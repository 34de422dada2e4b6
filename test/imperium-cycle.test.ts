import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { and, eq, sql } from 'drizzle-orm';
import { type TaskContext } from '../src/tasks/agent-definition.js';
import { CYCLE_STEPS, isCycle } from '../src/imperium/cycle.js';
import type { ImperiumInput } from '../src/agents/imperium/definition.js';
import {
  agentProgress,
  agents as agentRows,
  events,
  learningModels,
  proposals,
  repositories,
  sandboxExperiments,
  tasks,
} from '../src/db/schema.js';
import { DEFAULT_REPOSITORY_POLICY } from '../src/repositories/policy.js';
import { createTestApp, eventually, type TestApp, registerRepository } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { createRepository } from './support/repository-fixtures.js';

// A small package with passing tests, an Imperium opportunity (dead code after a return) and a Guardian
// finding (command-line input evaluated).
const LIB = ['function add(a, b) {', '  return a + b;', "  console.log('never');", '}', 'exports.add = add;', ''].join(
  '\n',
);
const TOOL = ['function run() {', '  return eval(process.argv[2]);', '}', 'module.exports = { run };', ''].join('\n');
const TEST = [
  "const assert = require('node:assert');",
  "const { add } = require('./lib.js');",
  'assert.strictEqual(add(1, 2), 3);',
  "console.log('all tests passed');",
  '',
].join('\n');
const PACKAGE = JSON.stringify({ name: 'calc', private: true, scripts: { test: 'node test.js' } }, null, 2) + '\n';
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
const FINAL = ['succeeded', 'failed', 'cancelled'];

for (const target of databaseTargets()) {
  describe(`Imperium's learning cycle on ${target}`, () => {
    let t: TestApp;
    let workspace: string;
    let repositoryId: string;
    let runner: string;
    let writer: string;

    before(async () => {
      workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-imperium-cycle-')));
      t = await createTestApp(target, {
        environment: { LVLUP_REPO_ROOTS: workspace, LVLUP_DATA_DIR: path.join(workspace, 'data') },
        worker: { pollIntervalMs: 100 },
      });
      runner = await t.createKey(['agents:read', 'agents:run', 'proposals:read']);
      writer = await t.createKey(['proposals:read', 'proposals:write', 'agents:read', 'repos:write']);
      const folder = path.join(workspace, 'calc');
      await createRepository(folder, {
        'package.json': PACKAGE,
        'lib.js': LIB,
        'tool.js': TOOL,
        'test.js': TEST,
      });
      repositoryId = await registerRepository(t, folder);
    });
    after(async () => {
      await t.close();
      await rm(workspace, { recursive: true, force: true });
    });

    const getTask = async (id: string) =>
      (await t.request({ method: 'GET', url: `/api/v1/tasks/${id}`, key: runner })).json<Task>();
    const finished = (id: string, timeoutMs = 60_000) =>
      eventually(
        t,
        async () => {
          const task = await getTask(id);
          return FINAL.includes(task.status) ? task : undefined;
        },
        timeoutMs,
      );
    const start = async (input: Record<string, unknown>) => {
      const response = await t.request({ method: 'POST', url: '/agents/imperium/run', key: runner, payload: input });
      assert.equal(response.statusCode, 202, response.body);
      return response.json<Task>();
    };
    /** The step tasks of a cycle as /api/v1/tasks lists them, oldest first. */
    const stepTasks = async (cycleId: string) => {
      const listed = await t.request({ method: 'GET', url: '/api/v1/tasks?limit=500', key: runner });
      assert.equal(listed.statusCode, 200, listed.body);
      return listed
        .json<Task[]>()
        .filter((task) => task.input.cycle_id === cycleId)
        .sort((a, b) => a.created_at.localeCompare(b.created_at));
    };
    const proposal = (id: string) =>
      t.request({ method: 'GET', url: `/proposals/${id}`, key: writer }).then((response) => response.json());

    it('runs Guardian scan → Sandbox runs → collection and metrics → proposals → notification, each a task', async () => {
      // A reviewed proposal first, so the metrics step has a verdict to learn from.
      const manual = await t.request({
        method: 'POST',
        url: '/proposals/',
        key: writer,
        payload: {
          ai_type: 'imperium',
          repository_id: repositoryId,
          file_path: 'test.js',
          code_before: TEST,
          code_after: `// checks add\n${TEST}`,
          description: 'a comment',
        },
      });
      assert.equal(manual.statusCode, 201, manual.body);
      const manualId = manual.json().id as string;
      await eventually(
        t,
        async () => {
          const body = await proposal(manualId);
          return ['test-passed', 'test-failed'].includes(body.status) ? body : undefined;
        },
        60_000,
      );
      const rejected = await t.request({
        method: 'POST',
        url: `/proposals/${manualId}/reject`,
        key: writer,
        payload: { reason: 'style' },
      });
      assert.equal(rejected.statusCode, 200, rejected.body);
      const [modelBefore] = await t.database.orm
        .select({ version: sql<number | null>`max(${learningModels.version})` })
        .from(learningModels);

      const coordinator = await start({ repository_id: repositoryId, cycle: true });
      const done = await finished(coordinator.id);
      assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
      const result = done.result!;
      assert.equal(result.kind, 'imperium_cycle');
      assert.equal(result.outcome, 'completed');
      const steps = result.steps as { step: string; agent_type: string; task_id: string; status: string }[];
      assert.deepEqual(
        steps.map((step) => [step.step, step.agent_type, step.status]),
        [
          ['guardian_scan', 'guardian', 'succeeded'],
          ['sandbox_runs', 'sandbox', 'succeeded'],
          ['metrics', 'learning', 'succeeded'],
          ['proposals', 'imperium', 'succeeded'],
        ],
      );

      // Every step is a task in /api/v1/tasks, linked to the cycle, in order, each started after the last ended.
      const listed = await stepTasks(coordinator.id);
      assert.deepEqual(
        listed.map((task) => task.id),
        steps.map((step) => step.task_id),
      );
      for (const task of listed) {
        assert.equal(task.status, 'succeeded', `${task.agent_type}: ${JSON.stringify(task.error)}`);
        assert.equal(task.trigger, 'event');
        assert.equal(task.input.repository_id, repositoryId);
      }
      assert.equal(listed[3]!.input.cycle, false);
      const rows = await t.database.orm
        .select()
        .from(tasks)
        .where(sql`${tasks.input} ->> 'cycle_id' = ${coordinator.id}`);
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const [index, task] of listed.entries()) {
        const row = byId.get(task.id)!;
        assert.equal(row.idempotencyKey, `cycle:${coordinator.id}:${CYCLE_STEPS[index]!.name}`);
        if (index > 0) assert.ok(row.startedAt! >= byId.get(listed[index - 1]!.id)!.finishedAt!, 'steps run in order');
      }

      // Guardian's suggestions are stored.
      const suggestions = await t.request({
        method: 'GET',
        url: `/guardian/suggestions?repository_id=${repositoryId}`,
        key: runner,
      });
      assert.equal(suggestions.statusCode, 200, suggestions.body);
      assert.ok(
        suggestions.json().some((suggestion: { file_path: string }) => suggestion.file_path === 'tool.js'),
        suggestions.body,
      );
      assert.ok((listed[0]!.result!.new_suggestions as number) >= 1);

      // Metrics: the collection saw the review and the test verdict; a new model version was trained.
      const metrics = listed[2]!.result!;
      assert.equal(metrics.kind, 'learning_cycle');
      const collected = metrics.collected as {
        verdicts: Record<string, number>;
        sandbox_verdicts: Record<string, number>;
      };
      assert.equal(collected.verdicts.rejected, 1);
      assert.equal(collected.sandbox_verdicts.passed, 1);
      const [modelAfter] = await t.database.orm
        .select({ version: sql<number>`max(${learningModels.version})` })
        .from(learningModels);
      assert.ok(modelAfter!.version > (modelBefore?.version ?? 0), 'a new model version');
      const [progress] = await t.database.orm
        .select()
        .from(agentProgress)
        .where(eq(agentProgress.agentType, 'imperium'));
      assert.equal(progress?.verdicts, 1);
      assert.deepEqual(metrics.agents_recomputed, ['imperium']);

      // Proposals were generated by the last step, and Sandbox tests them.
      assert.equal(listed[3]!.result!.proposals_created, 1);
      assert.equal(result.proposals_created, 1);
      const [created] = await t.database.orm
        .select()
        .from(proposals)
        .where(and(eq(proposals.repositoryId, repositoryId), eq(proposals.ruleId, 'js.unreachable-code')));
      assert.ok(created, 'the unreachable-code proposal');
      const tested = await eventually(
        t,
        async () => {
          const body = await proposal(created.id);
          return body.status === 'test-passed' ? body : undefined;
        },
        60_000,
      );
      assert.equal(tested.test_results.verdict, 'passed');
      // no benchmark command: the claim (here a maintainability change) gets no experiment
      const experiments = await t.database.orm
        .select()
        .from(sandboxExperiments)
        .where(eq(sandboxExperiments.repositoryId, repositoryId));
      assert.equal(experiments.length, 0);

      // Notification: the cycle's event, stored in the event log, with the step tasks and their outcomes.
      const [announced] = await t.database.orm
        .select()
        .from(events)
        .where(
          and(eq(events.type, 'imperium.cycle_completed'), sql`${events.data} ->> 'cycle_id' = ${coordinator.id}`),
        );
      assert.ok(announced, 'imperium.cycle_completed is stored');
      assert.equal(announced.topic, 'imperium');
      const data = announced.data as { steps: { task_id: string; status: string }[] };
      assert.deepEqual(
        data.steps.map((step) => [step.task_id, step.status]),
        listed.map((task) => [task.id, 'succeeded']),
      );

      // A retried coordinator (another attempt of the same task) finds its steps and repeats none of them.
      await t.database.orm
        .update(tasks)
        .set({ status: 'retrying', runAt: sql`now()`, finishedAt: null, result: null, progress: 0 })
        .where(eq(tasks.id, coordinator.id));
      t.app.services.tasks.wake();
      const again = await eventually(
        t,
        async () => {
          const task = await getTask(coordinator.id);
          return task.status === 'succeeded' && task.result ? task : undefined;
        },
        30_000,
      );
      const againSteps = again.result!.steps as { task_id: string; reused: boolean }[];
      assert.deepEqual(
        againSteps.map((step) => [step.task_id, step.reused]),
        listed.map((task) => [task.id, true]),
      );
      assert.equal((await stepTasks(coordinator.id)).length, CYCLE_STEPS.length, 'no step ran twice');
      const [row] = await t.database.orm.select().from(tasks).where(eq(tasks.id, coordinator.id));
      assert.equal(row?.attempts, 2);
    });

    it('fails the cycle when a step fails, naming the step, and runs no later step', async () => {
      // An unknown repository is refused at submission (404), so the repository goes away after it: the
      // coordinator waits (its agent paused) while the row is deleted, then its scan step fails.
      const [gone] = await t.database.orm
        .insert(repositories)
        .values({
          name: 'gone',
          source: 'path',
          path: path.join(os.tmpdir(), `lvlup-gone-${randomUUID()}`),
          defaultBranch: 'main',
          policy: DEFAULT_REPOSITORY_POLICY,
        })
        .returning();
      const [imperium] = await t.database.orm.select().from(agentRows).where(eq(agentRows.name, 'imperium'));
      const agentUrl = `/api/v1/agents/${imperium!.id}`;
      assert.equal((await t.request({ method: 'POST', url: `${agentUrl}/pause`, key: runner })).statusCode, 200);
      const coordinator = await start({ repository_id: gone!.id, cycle: true });
      await t.database.orm.delete(repositories).where(eq(repositories.id, gone!.id));
      assert.equal((await t.request({ method: 'POST', url: `${agentUrl}/resume`, key: runner })).statusCode, 200);
      const done = await finished(coordinator.id);
      assert.equal(done.status, 'failed');
      assert.equal(done.error?.code, 'cycle_step_failed');
      assert.match(done.error.message, /^Step guardian_scan \(guardian task [0-9a-f-]+\) failed: repository_not_found/);
      assert.match(done.error.message, /sandbox_runs, metrics, proposals\) did not run/);
      const listed = await stepTasks(coordinator.id);
      assert.deepEqual(
        listed.map((task) => [task.agent_type, task.status]),
        [['guardian', 'failed']],
      );
      const logs = await t.request({ method: 'GET', url: `/api/v1/tasks/${coordinator.id}/logs`, key: runner });
      assert.ok(
        logs.json().items.some((line: { message: string }) => line.message.startsWith('Step guardian_scan')),
        logs.body,
      );
      const [announced] = await t.database.orm
        .select()
        .from(events)
        .where(and(eq(events.type, 'imperium.cycle_failed'), sql`${events.data} ->> 'cycle_id' = ${coordinator.id}`));
      assert.equal((announced?.data as { failed_step: string }).failed_step, 'guardian_scan');
    });

    it('runs one cycle at a time: a cycle started while another runs is skipped, naming it', async () => {
      const [first, second] = await Promise.all([
        start({ repository_id: repositoryId, cycle: true }),
        start({ repository_id: repositoryId, cycle: true }),
      ]);
      const outcomes = await Promise.all([finished(first.id), finished(second.id)]);
      for (const task of outcomes) assert.equal(task.status, 'succeeded', JSON.stringify(task.error));
      const completed = outcomes.find((task) => task.result!.outcome === 'completed');
      const skipped = outcomes.find((task) => task.result!.outcome === 'skipped');
      assert.ok(completed && skipped, JSON.stringify(outcomes.map((task) => task.result)));
      assert.equal(skipped.result!.running_cycle_id, completed.id);
      assert.equal((await stepTasks(skipped.id)).length, 0);
      assert.equal((await stepTasks(completed.id)).length, CYCLE_STEPS.length);
    });

    it('keeps a manual run a repository run; a scheduled run (no `cycle`) is a cycle', async () => {
      const manual = await finished((await start({ repository_id: repositoryId })).id);
      assert.equal(manual.status, 'succeeded', JSON.stringify(manual.error));
      assert.equal(manual.result!.kind, 'imperium_run');
      const context = (trigger: string, input: ImperiumInput) =>
        ({
          task: { id: randomUUID(), agentId: randomUUID(), attempt: 1, trigger },
          input,
        }) as TaskContext<ImperiumInput>;
      assert.equal(isCycle(context('schedule', {})), true);
      assert.equal(isCycle(context('schedule', { cycle: false })), false);
      assert.equal(isCycle(context('manual', {})), false);
      assert.equal(isCycle(context('manual', { cycle: true })), true);
      assert.equal(
        (await t.request({ method: 'POST', url: '/agents/imperium/run', key: runner, payload: { cycle: 'yes' } }))
          .statusCode,
        400,
      );
    });
  });
}
