import assert from 'node:assert/strict';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { sql } from 'drizzle-orm';
import { recordUsage } from '../../src/llm/token-usage-store.js';
import { transitionProposal } from '../../src/proposals/transition-store.js';
import { storeBaseline, storeProposalRun } from '../../src/sandbox/run-store.js';
import { createTestApp, eventually, type TestApp } from './app.js';
import type { DatabaseTarget } from './database.js';
import { createRepository } from './repository-fixtures.js';
import { testRegistry } from './test-agents.js';

const APP_JS =
  "const { exec } = require('child_process');\n" +
  'function run(req) {\n' +
  "  exec('ls ' + req.query.dir);\n" +
  '  eval(req.body.code);\n' +
  '}\n' +
  'module.exports = { run };\n';
const CONFIG_PY = 'import yaml\n\ndef load(path):\n    with open(path) as handle:\n        return yaml.load(handle)\n';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies, checked field by field
export type Json = Record<string, any>;

export const ZERO_REVIEW_TIME = {
  n: 0,
  mean_seconds: null,
  median_seconds: null,
  p90_seconds: null,
  min_seconds: null,
  max_seconds: null,
};
export const ZERO_STATUSES = {
  pending: 0,
  testing: 0,
  'test-passed': 0,
  'test-failed': 0,
  accepted: 0,
  rejected: 0,
  applied: 0,
  'apply-failed': 0,
  expired: 0,
  superseded: 0,
};

export const close = (actual: number | null, expected: number, label: string) =>
  assert.ok(actual !== null && Math.abs(actual - expected) < 0.0015, `${label}: ${actual} ≠ ${expected}`);

/** Continuous median, as percentile_cont(0.5). */
export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = (sorted.length - 1) / 2;
  return (sorted[Math.floor(middle)]! + sorted[Math.ceil(middle)]!) / 2;
};

/**
 * The app of the analytics suites, whose clock a test sets (`at`), with keys that read, write proposals and
 * run agents, and helpers that create and review proposals at a given time and run a task to its end.
 */
export function useAnalytics(target: DatabaseTarget) {
  let t: TestApp;
  let workspace: string;
  let clock = new Date('2025-03-01T00:00:00Z');
  const keys = { reader: '', writer: '', runner: '' };
  /** proposals by the name a test gave them */
  const ids: Record<string, string> = {};
  before(async () => {
    workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-analytics-')));
    t = await createTestApp(target, {
      environment: { LVLUP_REPO_ROOTS: workspace, LVLUP_DATA_DIR: path.join(workspace, 'data') },
      now: () => clock,
      agents: testRegistry(),
      worker: { pollIntervalMs: 50 },
    });
    keys.reader = await t.createKey(['proposals:read', 'agents:read']);
    keys.writer = await t.createKey(['proposals:read', 'proposals:write']);
    keys.runner = await t.createKey(['agents:read', 'agents:run']);
  });
  after(async () => {
    await t.close();
    await rm(workspace, { recursive: true, force: true });
  });

  const at = (instant: string) => {
    clock = new Date(instant);
  };
  const get = async (url: string, key = keys.reader): Promise<Json> => {
    const response = await t.request({ method: 'GET', url, key });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<Json>();
  };
  let counter = 0;
  const create = async (name: string, aiType: string, instant: string, extra: Json = {}) => {
    at(instant);
    counter += 1;
    const response = await t.request({
      method: 'POST',
      url: '/proposals/',
      key: keys.writer,
      payload: {
        ai_type: aiType,
        file_path: `notes/n${counter}.md`,
        code_before: `old ${counter}\n`,
        code_after: `new ${counter}\n`,
        ...extra,
      },
    });
    assert.equal(response.statusCode, 201, response.body);
    ids[name] = response.json<{ id: string }>().id;
  };
  const review = async (name: string, verdict: 'accept' | 'reject', instant: string) => {
    at(instant);
    const response = await t.request({
      method: 'POST',
      url: `/proposals/${ids[name]}/${verdict}`,
      key: keys.writer,
      payload: { reason: verdict === 'accept' ? 'correct' : 'style' },
    });
    assert.equal(response.statusCode, 200, response.body);
  };
  const runTask = async (agentType: string, input: Json) => {
    const started = await t.request({
      method: 'POST',
      url: `/agents/${agentType}/run`,
      key: keys.runner,
      payload: input,
    });
    assert.equal(started.statusCode, 202, started.body);
    const id = started.json<{ id: string }>().id;
    return eventually(
      t,
      async () => {
        const task = (await t.request({ method: 'GET', url: `/api/v1/tasks/${id}`, key: keys.runner })).json<Json>();
        return ['succeeded', 'failed', 'cancelled'].includes(task.status as string) ? task : undefined;
      },
      30_000,
    );
  };

  return {
    /** the app (set once the suite's `before` ran) */
    get t() {
      return t;
    },
    get workspace() {
      return workspace;
    },
    get reader() {
      return keys.reader;
    },
    get writer() {
      return keys.writer;
    },
    get runner() {
      return keys.runner;
    },
    ids,
    at,
    get,
    create,
    review,
    runTask,
  };
}

export type Analytics = ReturnType<typeof useAnalytics>;

/**
 * Seeds proposals, reviews, tasks, scans, sandbox runs and LLM calls through the real paths, over three days
 * of March 2025 (see the comments for what each day holds); answers the id of the repository it registered.
 */
export async function seedThroughRealPaths(analytics: Analytics): Promise<string> {
  const { t, workspace, create, review, runTask, ids } = analytics;
  const folder = path.join(workspace, 'shop');
  await createRepository(folder, { 'src/app.js': APP_JS, 'tools/config.py': CONFIG_PY, 'docs/a.md': 'hello\n' });
  const registered = await t.request({
    method: 'POST',
    url: '/api/v1/repositories',
    key: t.adminKey,
    payload: { path: folder },
  });
  assert.equal(registered.statusCode, 201, registered.body);
  const repositoryId = registered.json<{ id: string }>().id;

  // Day 1 (2025-03-03): three proposals, three verdicts after 60 s, 300 s and 3600 s.
  await create('g1', 'guardian', '2025-03-03T10:00:00Z');
  await create('g2', 'guardian', '2025-03-03T10:00:00Z');
  await create('i1', 'imperium', '2025-03-03T10:00:00Z');
  await review('g1', 'accept', '2025-03-03T10:01:00Z');
  await review('g2', 'reject', '2025-03-03T10:05:00Z');
  await review('i1', 'accept', '2025-03-03T11:00:00Z');
  // Day 2: one accepted after 120 s, one left pending, one on the repository tested, accepted after 600 s, applied.
  await create('g3', 'guardian', '2025-03-04T09:00:00Z');
  await create('i2', 'imperium', '2025-03-04T09:00:00Z');
  await create('r1', 'guardian', '2025-03-04T09:00:00Z', {
    repository_id: repositoryId,
    file_path: 'docs/a.md',
    code_before: 'hello\n',
    code_after: 'hello world\n',
  });
  const { orm } = t.database;
  await transitionProposal(orm, ids.r1!, { to: 'testing', actor: 'agent:sandbox' });
  await transitionProposal(orm, ids.r1!, {
    to: 'test-passed',
    actor: 'agent:sandbox',
    set: { testResults: { verdict: 'passed' } },
  });
  await review('g3', 'accept', '2025-03-04T09:02:00Z');
  await review('r1', 'accept', '2025-03-04T09:10:00Z');
  const applied = await t.request({ method: 'POST', url: `/proposals/${ids.r1}/apply`, key: t.adminKey });
  assert.equal(applied.statusCode, 200, applied.body);
  assert.equal(applied.json().status, 'applied');
  // Day 3: a proposal whose test found a regression, rejected after 30 s.
  await create('i3', 'imperium', '2025-03-05T12:00:00Z');
  await transitionProposal(orm, ids.i3!, { to: 'testing', actor: 'agent:sandbox' });
  await transitionProposal(orm, ids.i3!, {
    to: 'test-failed',
    actor: 'agent:sandbox',
    set: { testResults: { verdict: 'regression' } },
  });
  await review('i3', 'reject', '2025-03-05T12:00:30Z');

  // Sandbox runs, through their store.
  const head = (
    await t.request({ method: 'GET', url: `/api/v1/repositories/${repositoryId}`, key: t.adminKey })
  ).json<Json>().head_commit as string;
  const run = {
    repositoryId,
    commit: head,
    checksKey: 'checks',
    commands: ['true'],
    isolation: 'none' as const,
    durationMs: 10,
    startedAt: new Date('2025-03-04T09:05:00Z'),
    finishedAt: new Date('2025-03-04T09:05:01Z'),
  };
  await storeBaseline(orm, { ...run, status: 'failed' });
  await storeProposalRun(orm, { ...run, proposalId: ids.r1!, status: 'passed' });

  // Language model calls, through the usage store.
  const call = {
    taskId: undefined,
    provider: 'openai' as const,
    model: 'gpt-test',
    purpose: undefined,
    costEstimated: true,
    cached: false,
    outcome: 'ok' as const,
    errorCode: undefined,
    durationMs: 5,
  };
  await recordUsage(orm, {
    ...call,
    agentType: 'imperium',
    inputTokens: 100,
    outputTokens: 50,
    costUsd: 0.0125,
    createdAt: new Date('2025-03-03T10:00:00Z'),
  });
  await recordUsage(orm, {
    ...call,
    agentType: 'imperium',
    inputTokens: 200,
    outputTokens: 0,
    costUsd: 0.5,
    outcome: 'error',
    errorCode: 'timeout',
    createdAt: new Date('2025-03-04T10:00:00Z'),
  });
  await recordUsage(orm, {
    ...call,
    agentType: 'guardian',
    inputTokens: 10,
    outputTokens: 5,
    costUsd: 0,
    costEstimated: false,
    cached: true,
    createdAt: new Date('2025-03-05T10:00:00Z'),
  });

  // Tasks: a Guardian scan of the repository and three scripted runs, one of them failing for good.
  const scan = await runTask('guardian', { repository_id: repositoryId });
  assert.equal(scan.status, 'succeeded', JSON.stringify(scan.error));
  assert.ok((scan.result as Json).findings >= 2, 'the fixture has findings');
  const runs = [
    await runTask('scripted', {}),
    await runTask('scripted', {}),
    await runTask('scripted', { fail_attempts: 1, retryable: false }),
  ];
  assert.deepEqual(
    runs.map((run) => run.status),
    ['succeeded', 'succeeded', 'failed'],
  );
  // Their durations, set rather than waited for: 40, 80 and 5 ms, ending when they ended.
  for (const [index, milliseconds] of [40, 80, 5].entries()) {
    await t.database.orm.execute(
      sql`update tasks set started_at = finished_at - make_interval(secs => ${milliseconds / 1000})
        where id = ${runs[index]!.id as string}`,
    );
  }
  return repositoryId;
}
