import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { eq, inArray, sql } from 'drizzle-orm';
import { loadConfig } from '../../src/config/config.js';
import type { Database } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open.js';
import { agents, proposals, tasks } from '../../src/db/schema.js';
import { createInProcessEventBus } from '../../src/events/bus.js';
import { createTaskQueue } from '../../src/tasks/task-queue.js';
import { applyPatchAsCommit } from '../../src/proposals/apply/apply-patch.js';
import { applyCheckoutRoot } from '../../src/proposals/apply/scratch-worktree.js';
import { removeAbandonedCheckouts } from '../../src/sandbox/abandoned-checkouts.js';
import { crashContentHash, crashRegistry } from '../support/crash-agents.js';
import { createPostgresDatabase, databaseTargets, dropPostgresDatabase } from '../support/database.js';
import { createRepository, gitIn } from '../support/repository-fixtures.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = path.join(root, 'test', 'support', 'crash-worker.ts');
const applyScript = path.join(root, 'test', 'support', 'apply-worker.ts');
const LEASE_SECONDS = 2;
const FINAL_EVENTS = ['task.succeeded', 'task.failed', 'task.cancelled'];

type Line = Record<string, unknown> & { event: string };

/** One `crash-worker.ts` process, its stdout parsed line by line. */
class WorkerProcess {
  readonly child: ChildProcess;
  readonly lines: Line[] = [];
  stderr = '';
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** called when lines arrive or the process exits, so that `until` looks again */
  private changed: () => void = () => {};

  constructor(environment: Record<string, string>, file = script, args: readonly string[] = []) {
    this.child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
      cwd: root,
      // Only what the worker needs: no DATABASE_URL or TEST_DATABASE_URL of this process leaks into it.
      env: { PATH: process.env.PATH, TMPDIR: os.tmpdir(), ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(this.child);
    let buffer = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let end: number;
      while ((end = buffer.indexOf('\n')) !== -1) {
        this.lines.push(JSON.parse(buffer.slice(0, end)) as Line);
        buffer = buffer.slice(end + 1);
      }
      this.changed();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        running.delete(this.child);
        resolve(this.exit);
        this.changed();
      }),
    );
  }

  /** Resolves with the lines once `check` holds for them; fails when the process exits first or time runs out. */
  async until(check: (lines: Line[]) => boolean, what: string, timeoutMs = 60_000): Promise<Line[]> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.changed();
    }, timeoutMs);
    try {
      while (!check(this.lines)) {
        if (this.exit || timedOut) {
          throw new Error(
            `${this.exit ? `the worker exited (${JSON.stringify(this.exit)})` : 'timed out'} waiting for ${what}\n` +
              `stdout:\n${this.lines.map((line) => JSON.stringify(line)).join('\n')}\nstderr:\n${this.stderr}`,
          );
        }
        // Looks again when the next line arrives or the process exits, not on a timer.
        await new Promise<void>((resolve) => (this.changed = resolve));
      }
      return this.lines;
    } finally {
      clearTimeout(timer);
      this.changed = () => {};
    }
  }

  of(event: string): Line[] {
    return this.lines.filter((line) => line.event === event);
  }
}

const running = new Set<ChildProcess>();

for (const target of databaseTargets()) {
  describe(`crash safety on ${target}`, { timeout: 600_000 }, () => {
    let folder: string;
    let url: string | undefined;
    /** PostgreSQL: the test's own connection, open throughout */
    let shared: Database | undefined;
    const config = () =>
      loadConfig({ LVLUP_DATA_DIR: path.join(folder, 'data'), DATABASE_URL: url, DATABASE_POOL_SIZE: '2' });

    /**
     * Runs `work` on the database. A PGlite folder admits one process at a time, so it is opened only
     * while no worker runs (after a SIGKILL this takes over the dead worker's lock), and closed again.
     */
    const withDatabase = async <T>(work: (database: Database) => Promise<T>): Promise<T> => {
      if (shared) return work(shared);
      const database = await openDatabase(config());
      try {
        return await work(database);
      } finally {
        await database.close();
      }
    };

    const startWorker = (extra: Record<string, string> = {}) =>
      new WorkerProcess({
        ...(url ? { DATABASE_URL: url } : {}),
        LVLUP_DATA_DIR: path.join(folder, 'data'),
        TASK_LEASE_SECONDS: String(LEASE_SECONDS),
        WORKER_CONCURRENCY: '8',
        ...extra,
      });

    before(async () => {
      folder = mkdtempSync(path.join(os.tmpdir(), 'lvlup-crash-'));
      if (target === 'postgres') {
        url = await createPostgresDatabase();
        shared = await openDatabase(config());
      } else {
        // Creates and migrates the PGlite folder once, so that the workers only open it.
        await withDatabase(async () => undefined);
      }
    });

    after(async () => {
      for (const child of running) child.kill('SIGKILL');
      await shared?.close();
      if (url) await dropPostgresDatabase(url);
      rmSync(folder, { recursive: true, force: true });
    });

    it('retries or fails every task a killed worker was running, and repeats no side effect', async () => {
      const submissions = [
        { agentType: 'crash-retry', label: 'retry-1' },
        { agentType: 'crash-retry', label: 'retry-2' },
        { agentType: 'crash-retry', label: 'retry-3' },
        { agentType: 'crash-final', label: 'final-1' },
        { agentType: 'crash-final', label: 'final-2' },
      ];

      // 1. A worker starts the tasks; each handler commits its side effect, then hangs.
      const first = startWorker(shared ? {} : { CRASH_SUBMIT: JSON.stringify(submissions) });
      await first.until((lines) => lines.some((line) => line.event === 'ready'), 'the first worker');
      const owner = first.of('ready')[0]!.owner as string;
      const ids = new Map<string, { agentType: string; label: string }>();
      if (shared) {
        // PostgreSQL: enqueued by this process; the NOTIFY wakes the worker in the other one.
        const queue = createTaskQueue({
          database: shared,
          events: createInProcessEventBus(),
          registry: crashRegistry(),
          log: { warn: () => undefined },
        });
        for (const submission of submissions) {
          const { task } = await queue.submit({ ...submission, input: { label: submission.label }, trigger: 'manual' });
          ids.set(task.id, submission);
        }
      } else {
        await first.until((lines) => lines.filter((line) => line.event === 'submitted').length === 5, 'submissions');
        for (const line of first.of('submitted')) {
          ids.set(line.id as string, { agentType: line.agentType as string, label: line.label as string });
        }
      }
      await first.until(
        (lines) => [...ids.keys()].every((id) => lines.some((line) => line.event === 'effect' && line.task === id)),
        'every side effect',
      );
      const firstEffects = new Map(first.of('effect').map((line) => [line.task as string, line]));
      for (const effect of firstEffects.values()) {
        assert.equal(effect.attempt, 1);
        assert.equal(effect.created, true);
      }

      // 2. kill -9 while all of them run.
      first.child.kill('SIGKILL');
      assert.equal((await first.exited).signal, 'SIGKILL');
      await withDatabase(async (database) => {
        const rows = await database.orm
          .select()
          .from(tasks)
          .where(inArray(tasks.id, [...ids.keys()]));
        assert.equal(rows.length, ids.size);
        for (const row of rows) {
          assert.equal(row.status, 'running', `${row.id} after the kill`);
          assert.equal(row.attempts, 1);
          assert.equal(row.leaseOwner, owner);
        }
      });

      // 3. The restarted worker recovers the expired leases: a retry where attempts remain, a failure where not.
      const second = startWorker();
      await second.until(
        (lines) =>
          [...ids.keys()].every((id) =>
            lines.some((line) => line.event === 'task' && line.id === id && FINAL_EVENTS.includes(line.type as string)),
          ),
        'every task to finish after the restart',
      );
      const secondEffects = second.of('effect');
      second.child.kill('SIGTERM');
      assert.deepEqual(await second.exited, { code: 0, signal: null }, second.stderr);

      // 4. Nothing is left running; each side effect exists exactly once.
      await withDatabase(async (database) => {
        const orm = database.orm;
        const [stillRunning] = await orm
          .select({ count: sql<number>`count(*)::int` })
          .from(tasks)
          .where(eq(tasks.status, 'running'));
        assert.equal(stillRunning!.count, 0);
        for (const [id, { agentType, label }] of ids) {
          const [row] = await orm.select().from(tasks).where(eq(tasks.id, id));
          const proposal = firstEffects.get(id)!.proposal as string;
          assert.equal(row!.leaseOwner, null);
          if (agentType === 'crash-retry') {
            assert.equal(row!.status, 'succeeded', label);
            assert.equal(row!.attempts, 2);
            // The second attempt found the first attempt's proposal by its content hash and made none.
            assert.deepEqual(row!.result, { proposal_id: proposal, created: false });
            const retried = secondEffects.filter((line) => line.task === id);
            assert.deepEqual(
              retried.map((line) => [line.attempt, line.created, line.proposal]),
              [[2, false, proposal]],
            );
          } else {
            assert.equal(row!.status, 'failed', label);
            assert.equal(row!.attempts, 1);
            assert.equal(row!.errorCode, 'interrupted');
            assert.equal(row!.deadLetter, true);
            assert.ok(row!.finishedAt);
            assert.ok(!secondEffects.some((line) => line.task === id), 'an exhausted task ran again');
          }
          const made = await orm
            .select()
            .from(proposals)
            .where(eq(proposals.contentHash, crashContentHash(label)));
          assert.deepEqual(
            made.map((row) => row.id),
            [proposal],
            `proposals for ${label}`,
          );
        }
        const [allProposals] = await orm.select({ count: sql<number>`count(*)::int` }).from(proposals);
        assert.equal(allProposals!.count, ids.size);
        const agentRows = await orm
          .select({ name: agents.name, status: agents.status })
          .from(agents)
          .where(inArray(agents.name, ['crash-retry', 'crash-final']));
        assert.deepEqual(Object.fromEntries(agentRows.map((row) => [row.name, row.status])), {
          'crash-retry': 'idle',
          'crash-final': 'error',
        });
      });
    });
  });
}

describe('a process killed while applying a proposal', { timeout: 120_000 }, () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'lvlup-crash-apply-'));
  });
  after(() => {
    for (const child of running) child.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  });

  const patch = [
    'diff --git a/file.txt b/file.txt',
    '--- a/file.txt',
    '+++ b/file.txt',
    '@@ -1 +1 @@',
    '-one',
    '+two',
    '',
  ].join('\n');

  it('leaves nothing in the repository, and the next apply or start-up removes what it left', async () => {
    const repository = path.join(folder, 'repository');
    const data = path.join(folder, 'data');
    const root = applyCheckoutRoot(data);
    const commit = await createRepository(repository, { 'file.txt': 'one\n' });
    const registeredWorkTrees = async () =>
      (await gitIn(repository, 'worktree', 'list', '--porcelain'))
        .split('\n')
        .filter((line) => line.startsWith('worktree '));

    // kill -9 inside the scratch checkout of an apply, in a real child process
    const killed = new WorkerProcess({}, applyScript, [repository, root, commit]);
    await killed.until((lines) => lines.some((line) => line.event === 'inside'), 'the apply checkout');
    killed.child.kill('SIGKILL');
    assert.equal((await killed.exited).signal, 'SIGKILL');
    const tree = killed.of('inside')[0]!.tree as string;
    assert.ok(existsSync(tree), 'the killed process left its checkout');
    assert.equal((await registeredWorkTrees()).length, 1, 'the checkout is not registered in the repository');

    // the next apply removes it (and applies)
    const applied = await applyPatchAsCommit({
      repositoryPath: repository,
      worktreeRoot: root,
      baseCommit: commit,
      targetBranch: 'main',
      branch: 'lvlup/after-crash',
      mode: 'per_proposal',
      patch,
      message: 'after the crash',
    });
    assert.equal(applied.ok, true, JSON.stringify(applied));
    assert.deepEqual(readdirSync(root), []);

    // start-up removes the same, and also what a version that registered work trees left behind
    const again = new WorkerProcess({}, applyScript, [repository, root, commit]);
    await again.until((lines) => lines.some((line) => line.event === 'inside'), 'the apply checkout');
    again.child.kill('SIGKILL');
    await again.exited;
    const legacy = path.join(root, 'apply-H9FQuy');
    await gitIn(repository, 'worktree', 'add', '--detach', path.join(legacy, 'apply-H9FQuy'), commit);
    assert.equal((await registeredWorkTrees()).length, 2);
    const removed = await removeAbandonedCheckouts({
      dataDirectory: data,
      sandboxWorkDirectory: path.join(folder, 'sandbox'),
    });
    assert.equal(removed.length, 2, removed.join(', '));
    assert.deepEqual(readdirSync(root), []);
    assert.equal((await registeredWorkTrees()).length, 1, 'the old registration is pruned');
  });
});
