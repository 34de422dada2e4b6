// Sandbox overhead per proposal (issue 6): everything a proposal's sandbox run costs except the checks
// themselves, on a repository of 2,000 files. The check is `true`, so what is measured is lvlup's own
// work: reading the proposal and the cached baseline, the throw-away `git worktree` at the base commit,
// writing the change, starting the isolated process (bubblewrap namespaces and mounts), storing the run,
// moving the proposal through testing → test-passed, and removing the work tree.
//
// Per sample: overhead = the wall time of testProposal() − the time the runner reports for the commands.
// Side by side: the same pipeline in process mode (no bubblewrap), and the naive baseline of copying the
// repository's files into a fresh folder (what "a temp copy" costs) instead of a git worktree.
// PGlite in a temporary folder; BENCH_SANDBOX_SAMPLES (default 40) samples after 3 warm-up runs.
import { createInlineCompute } from '../src/compute/compute-pool.js';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import type { Database } from '../src/db/database.js';
import { openDatabase } from '../src/db/open.js';
import { createInProcessEventBus } from '../src/events/bus.js';
import { createProposal } from '../src/inbox/create-proposal.js';
import { occupantOfPath, readFileAtRef, resolveHead } from '../src/repositories/git-repository.js';
import { mergePolicy } from '../src/repositories/policy.js';
import { insertRepository } from '../src/repositories/repository-store.js';
import { createSandboxRunner } from '../src/sandbox/isolation/index.js';
import type { SandboxService } from '../src/sandbox/sandbox-service.js';
import { testProposal } from '../src/sandbox/test-proposal.js';
import { findToolchains } from '../src/sandbox/toolchains.js';
import { createWorkTree, defaultWorkRoot } from '../src/sandbox/work-tree.js';
import { writeResult } from './support.js';

const SAMPLES = Number(process.env.BENCH_SANDBOX_SAMPLES ?? 40);
const WARM_UP = 3;
const FILES = 2000;
const GOAL_MEDIAN_MS = 300;

const round = (value: number) => Math.round(value * 10) / 10;
function stats(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
  return { samples: sorted.length, median_ms: round(at(0.5)), p90_ms: round(at(0.9)), max_ms: round(at(1)) };
}

function createLargeRepository(folder: string): void {
  mkdirSync(folder, { recursive: true });
  for (let index = 0; index < FILES; index++) {
    const file = path.join(folder, `src/module-${Math.floor(index / 100)}/file-${index}.js`);
    mkdirSync(path.dirname(file), { recursive: true });
    const body = Array.from({ length: 30 }, (_, line) => `export const value${line} = ${index * 30 + line};`);
    writeFileSync(file, `${body.join('\n')}\n`);
  }
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: folder,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'b',
        GIT_AUTHOR_EMAIL: 'b@b',
        GIT_COMMITTER_NAME: 'b',
        GIT_COMMITTER_EMAIL: 'b@b',
      },
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
}

async function measurePipeline(database: Database, repository: { id: string; path: string }, service: SandboxService) {
  const events = createInProcessEventBus();
  const logger = { error: () => undefined };
  const overheads: number[] = [];
  const totals: number[] = [];
  const reader = { resolveHead, readFileAtRef, occupantOfPath };
  for (let sample = 0; sample < WARM_UP + SAMPLES; sample++) {
    const before = (await readFileAtRef(repository, 'main', 'src/module-0/file-0.js'))!;
    const { proposal } = await createProposal(
      database.orm,
      reader,
      {
        aiType: 'imperium',
        repositoryId: repository.id,
        files: [
          {
            file_path: 'src/module-0/file-0.js',
            code_before: before,
            code_after: `${before}// ${service.runner.mode} sample ${sample}\n`,
          },
        ],
        createdBy: 'bench',
      },
      new Date(),
      createInlineCompute(),
    );
    const started = performance.now();
    const result = await testProposal(
      {
        database,
        events,
        service,
        signal: new AbortController().signal,
        taskId: '00000000-0000-4000-8000-000000000000',
        log: async () => undefined,
        now: () => new Date(),
        logger,
      },
      proposal.id,
    );
    const wall = performance.now() - started;
    if (result.verdict !== 'passed') throw new Error(`unexpected verdict ${JSON.stringify(result)}`);
    const [run] = await database.query<{ results: { duration_ms: number }[] }>(
      'select results from sandbox_runs where id = $1',
      [result.run_id],
    );
    const commands = run!.results.reduce((sum, command) => sum + command.duration_ms, 0);
    if (sample >= WARM_UP) {
      overheads.push(wall - commands);
      totals.push(wall);
    }
  }
  return { overhead: stats(overheads), wall: stats(totals) };
}

async function measureCheckouts(repositoryPath: string, commit: string) {
  const worktree: number[] = [];
  const worktreeOnDisk: number[] = [];
  const copy: number[] = [];
  for (let sample = 0; sample < WARM_UP + SAMPLES; sample++) {
    let started = performance.now();
    const tree = await createWorkTree(repositoryPath, commit);
    await tree.dispose();
    if (sample >= WARM_UP) worktree.push(performance.now() - started);

    started = performance.now();
    const onDisk = await createWorkTree(repositoryPath, commit, os.tmpdir());
    await onDisk.dispose();
    if (sample >= WARM_UP) worktreeOnDisk.push(performance.now() - started);

    started = performance.now();
    const folder = await mkdtemp(path.join(os.tmpdir(), 'lvlup-bench-copy-'));
    await cp(repositoryPath, folder, { recursive: true, filter: (source) => !source.includes(`${path.sep}.git`) });
    await rm(folder, { recursive: true, force: true });
    if (sample >= WARM_UP) copy.push(performance.now() - started);
  }
  return { git_worktree: stats(worktree), git_worktree_on_disk: stats(worktreeOnDisk), plain_copy: stats(copy) };
}

export async function benchSandboxOverhead(): Promise<void> {
  const workspace = await mkdtemp(path.join(os.tmpdir(), 'lvlup-bench-sandbox-'));
  try {
    const repositoryPath = path.join(workspace, 'repository');
    createLargeRepository(repositoryPath);
    const config = loadConfig({ LVLUP_DATA_DIR: path.join(workspace, 'data') });
    const database = await openDatabase(config);
    try {
      const { created } = (await insertRepository(database, {
        name: 'bench',
        source: 'path',
        path: repositoryPath,
        defaultBranch: 'main',
        checkCommands: ['true'],
        policy: mergePolicy(undefined, undefined),
      })) as { created: { id: string; path: string } };
      const toolchains = await findToolchains();
      const workRoot = await defaultWorkRoot();
      const rows: Record<string, unknown>[] = [];
      const results: Record<string, unknown> = {};
      for (const mode of ['bwrap', 'process'] as const) {
        const made = await createSandboxRunner({ mode, hiddenPaths: [config.dataDirectory] }).catch(
          (error: Error) => error,
        );
        if (made instanceof Error) {
          console.log(`sandbox overhead: ${mode} mode unavailable (${made.message}), skipped`);
          continue;
        }
        const measured = await measurePipeline(database, created, { ...made, toolchains, workRoot });
        results[mode] = measured;
        rows.push({
          what: `proposal pipeline, ${mode}`,
          ...measured.overhead,
          wall_median_ms: measured.wall.median_ms,
        });
      }
      const head = await resolveHead({ path: repositoryPath, defaultBranch: 'main' });
      const checkouts = await measureCheckouts(repositoryPath, head);
      rows.push({ what: `git worktree add + remove (${workRoot})`, ...checkouts.git_worktree });
      rows.push({ what: `git worktree add + remove (${os.tmpdir()})`, ...checkouts.git_worktree_on_disk });
      rows.push({ what: 'baseline: plain copy of the files', ...checkouts.plain_copy });
      console.log(`\nSandbox overhead per proposal (${FILES} files, check: true; goal median ≤ ${GOAL_MEDIAN_MS} ms)`);
      console.table(rows);
      const file = writeResult('sandbox-overhead', {
        files: FILES,
        goal_median_ms: GOAL_MEDIAN_MS,
        pipeline: results,
        checkouts,
      });
      console.log(`written to ${file}`);
    } finally {
      await database.close();
    }
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSandboxOverhead();
