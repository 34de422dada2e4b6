import assert from 'node:assert/strict';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { agents, tasks } from '../../src/db/schema.js';
import { createTestApp, eventually, type TestApp } from './app.js';
import type { DatabaseTarget } from './database.js';
import { scriptedAgent, testRegistry } from './test-agents.js';

export interface Task {
  id: string;
  agent_id: string;
  agent_type: string;
  status: string;
  trigger: string;
  input: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  attempts: number;
  priority: number;
  dead_letter: boolean;
  retry_of: string | null;
  cancel_requested: boolean;
  created_by: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface AgentStatus {
  id: string;
  type: string;
  status: string;
  current_task: { id: string; progress: number; started_at: string | null } | null;
  last_run: { id: string; status: string; finished_at: string | null } | null;
  next_run: string | null;
  queue_depth: number;
  running: number;
}

const FINAL = ['succeeded', 'failed', 'cancelled'];

/**
 * The app of the agents and tasks API suites: the built-in agents, `scripted` and five more scripted agent
 * types (one per test that counts its own runs), a worker with quick retries, and keys that may read and run.
 */
export function useAgentsApi(target: DatabaseTarget) {
  let t: TestApp;
  let workspace: string;
  const keys = { reader: '', runner: '' };
  const orm = () => t.database.orm;
  before(async () => {
    workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-agents-api-')));
    t = await createTestApp(target, {
      environment: { LVLUP_REPO_ROOTS: workspace, LVLUP_DATA_DIR: path.join(workspace, 'data') },
      agents: testRegistry(
        scriptedAgent({ type: 'measured' }),
        scriptedAgent({ type: 'pausable' }),
        scriptedAgent({ type: 'witness' }),
        scriptedAgent({ type: 'narrow', concurrency: 1 }),
        scriptedAgent({ type: 'retried', maxAttempts: 1 }),
      ),
      worker: { pollIntervalMs: 100, abortGraceMs: 300, backoff: { baseMs: 50, capMs: 200 } },
    });
    keys.reader = await t.createKey(['agents:read']);
    keys.runner = await t.createKey(['agents:read', 'agents:run']);
  });
  after(async () => {
    await t.close();
    await rm(workspace, { recursive: true, force: true });
  });

  const run = (agentType: string, payload?: unknown, options: { key?: string; idempotencyKey?: string } = {}) =>
    t.request({
      method: 'POST',
      url: `/agents/${agentType}/run`,
      key: options.key ?? keys.runner,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      ...(options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {}),
    });
  const get = (url: string, key = keys.reader) => t.request({ method: 'GET', url, key });
  const post = (url: string, payload?: Record<string, unknown>, key = keys.runner) =>
    t.request({ method: 'POST', url, key, ...(payload ? { payload } : {}) });

  const started = async (agentType: string, payload?: unknown) => {
    const response = await run(agentType, payload);
    assert.equal(response.statusCode, 202, response.body);
    return response.json<Task>();
  };
  const taskNow = async (id: string) => {
    const response = await get(`/api/v1/tasks/${id}`);
    assert.equal(response.statusCode, 200, response.body);
    return response.json<Task>();
  };
  const finished = (id: string, timeoutMs = 60_000) =>
    eventually(
      t,
      async () => {
        const task = await taskNow(id);
        return FINAL.includes(task.status) ? task : undefined;
      },
      timeoutMs,
    );
  const running = (id: string) =>
    eventually(t, async () => ((await taskNow(id)).status === 'running' ? true : undefined));
  const agentOf = async (type: string) => (await orm().select().from(agents).where(eq(agents.type, type)))[0]!;
  const statusOf = async (type: string) => {
    const response = await get('/agents/status');
    assert.equal(response.statusCode, 200, response.body);
    return response.json<AgentStatus[]>().find((entry) => entry.type === type)!;
  };
  const taskCount = async () =>
    (
      await orm()
        .select({ count: sql<number>`count(*)::int` })
        .from(tasks)
    )[0]!.count;

  return {
    /** the app (set once the suite's `before` ran) */
    get t() {
      return t;
    },
    /** the folder repositories may be registered from */
    get workspace() {
      return workspace;
    },
    get reader() {
      return keys.reader;
    },
    get runner() {
      return keys.runner;
    },
    orm,
    run,
    get,
    post,
    started,
    taskNow,
    finished,
    running,
    agentOf,
    statusOf,
    taskCount,
  };
}
