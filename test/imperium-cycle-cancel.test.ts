import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { BUILT_IN_AGENTS } from '../src/agents/built-in.js';
import { defineAgent } from '../src/tasks/agent-definition.js';
import { createAgentRegistry } from '../src/tasks/agent-registry.js';
import { tasks } from '../src/db/schema.js';
import { createTestApp, eventually, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { untilAborted } from './support/test-agents.js';

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
  describe(`Cancelling a learning cycle on ${target}`, () => {
    let t: TestApp;
    let runner: string;
    // A Guardian step that works until it is aborted, so the cycle is cancelled while it waits for it.
    const hangingGuardian = defineAgent({
      type: 'guardian',
      description: 'a Guardian scan that never ends by itself (tests only)',
      inputSchema: z.object({ repository_id: z.string().optional(), cycle_id: z.string().optional() }),
      defaultIntervalSeconds: () => 3600,
      concurrency: 1,
      timeoutSeconds: 120,
      maxAttempts: 1,
      async run(context) {
        await untilAborted(context.signal);
        context.signal.throwIfAborted();
        return {};
      },
    });

    before(async () => {
      t = await createTestApp(target, {
        agents: createAgentRegistry([
          hangingGuardian,
          ...BUILT_IN_AGENTS.filter((definition) => definition.type !== 'guardian'),
        ]),
        worker: { pollIntervalMs: 100 },
      });
      runner = await t.createKey(['agents:read', 'agents:run']);
    });
    after(() => t.close());

    const getTask = async (id: string) =>
      (await t.request({ method: 'GET', url: `/api/v1/tasks/${id}`, key: runner })).json<Task>();

    it('cancels the step it is waiting for, and no later step runs', async () => {
      const started = await t.request({
        method: 'POST',
        url: '/agents/imperium/run',
        key: runner,
        payload: { cycle: true },
      });
      assert.equal(started.statusCode, 202, started.body);
      const cycleId = started.json<Task>().id;
      const step = await eventually(t, async () => {
        const [row] = await t.database.orm
          .select()
          .from(tasks)
          .where(and(eq(tasks.agentType, 'guardian'), sql`${tasks.input} ->> 'cycle_id' = ${cycleId}`));
        return row?.status === 'running' ? row : undefined;
      });

      const cancelled = await t.request({ method: 'POST', url: `/api/v1/tasks/${cycleId}/cancel`, key: runner });
      assert.equal(cancelled.statusCode, 202, cancelled.body);
      const cycle = await eventually(t, async () => {
        const task = await getTask(cycleId);
        return FINAL.includes(task.status) ? task : undefined;
      });
      assert.equal(cycle.status, 'cancelled');
      const stepTask = await eventually(t, async () => {
        const task = await getTask(step.id);
        return FINAL.includes(task.status) ? task : undefined;
      });
      assert.equal(stepTask.status, 'cancelled', JSON.stringify(stepTask.error));
      const later = await t.database.orm
        .select()
        .from(tasks)
        .where(and(sql`${tasks.input} ->> 'cycle_id' = ${cycleId}`, sql`${tasks.agentType} <> 'guardian'`));
      assert.deepEqual(later, []);
    });
  });
}
