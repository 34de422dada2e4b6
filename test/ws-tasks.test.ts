import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { findTask } from '../src/tasks/task-store.js';
import { createTestApp, eventually, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { connectWebSocket, type Message, readUntil } from './support/event-clients.js';
import { scriptedAgent, testRegistry } from './support/test-agents.js';

interface Snapshot {
  type: 'snapshot';
  task: { id: string; status: string; progress: number };
  logs: { id: number; attempt: number; level: string; message: string; at: string }[];
}

for (const target of databaseTargets()) {
  describe(`GET /ws/tasks/:task_id on ${target}`, () => {
    let t: TestApp;
    let baseUrl: string;
    let reader: string;
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    // Waits for the test before it writes anything, so a client can see every step after the snapshot.
    const gated = scriptedAgent({
      type: 'gated',
      async run(context) {
        await gate;
        await context.log('info', 'through the gate');
        await context.progress(75);
        return {};
      },
    });

    before(async () => {
      t = await createTestApp(target, { agents: testRegistry(gated), worker: { pollIntervalMs: 200 } });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      reader = await t.createKey(['agents:read']);
    });
    after(async () => {
      openGate();
      await t.close();
    });

    const url = (taskId: string) => `${baseUrl.replace('http', 'ws')}/ws/tasks/${taskId}`;
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
    const submit = async (agentType: string, input: Record<string, unknown>) =>
      (await t.app.services.tasks.submit({ agentType, input, trigger: 'manual' })).task;
    const succeeded = (taskId: string) =>
      eventually(t, async () => ((await findTask(t.database.orm, taskId))?.status === 'succeeded' ? true : undefined));

    it('sends a snapshot, then progress, log lines and the final status, then closes with 1000', async () => {
      const task = await submit('scripted', { work_ms: 300, log_lines: 3 });
      const client = connectWebSocket(url(task.id), [], bearer(reader));
      assert.equal((await client.messages.next()).type, 'authenticated');
      const snapshot = (await client.messages.next()) as unknown as Snapshot;
      assert.equal(snapshot.type, 'snapshot');
      assert.equal(snapshot.task.id, task.id);
      // On a loaded machine the task may be over before the snapshot: then the snapshot is all there is.
      const stream =
        snapshot.task.status === 'succeeded'
          ? []
          : await readUntil(client, (message) => message.type === 'task.succeeded');
      const closed = await client.closed;
      assert.equal(closed.code, 1000);
      assert.equal(closed.reason, 'task finished');

      assert.ok(stream.every((message) => message.topic === `tasks/${task.id}`));
      // Depending on how far the task got before the snapshot, its lines are there or follow; never twice.
      const lines = [
        ...snapshot.logs.map((line) => line.message),
        ...stream.filter((message) => message.type === 'task.log').map((message) => (message.data as Message).message),
      ];
      assert.deepEqual(lines, ['line 0', 'line 1', 'line 2']);
      const progress = stream.find((message) => message.type === 'task.progress');
      assert.ok(progress || snapshot.task.progress >= 50, JSON.stringify(stream.map((message) => message.type)));
      const final = stream.at(-1);
      assert.equal(
        final ? (final.data as { task: { status: string } }).task.status : snapshot.task.status,
        'succeeded',
      );
    });

    it('streams every step of a task that starts after the client connected, in order', async () => {
      const task = await submit('gated', {});
      const client = connectWebSocket(url(task.id), ['lvlup.events', `bearer.${reader}`]);
      assert.equal((await client.messages.next()).type, 'authenticated');
      const snapshot = (await client.messages.next()) as unknown as Snapshot;
      assert.equal(snapshot.type, 'snapshot');
      assert.ok(['queued', 'running'].includes(snapshot.task.status), snapshot.task.status);
      assert.deepEqual(snapshot.logs, []);
      openGate();
      const stream = await readUntil(client, (message) => message.type === 'task.succeeded');
      assert.deepEqual(
        stream.map((message) => message.type).filter((type) => type !== 'task.started'),
        ['task.log', 'task.progress', 'task.succeeded'],
      );
      assert.equal(
        (stream.find((message) => message.type === 'task.log')!.data as Message).message,
        'through the gate',
      );
      assert.equal((stream.find((message) => message.type === 'task.progress')!.data as Message).progress, 75);
      assert.equal((await client.closed).code, 1000);
    });

    it('closes right after the snapshot of a finished task, which carries its last 100 lines', async () => {
      const task = await submit('scripted', { log_lines: 101 });
      await succeeded(task.id);
      const client = connectWebSocket(url(task.id));
      await client.opened;
      client.send({ type: 'auth', token: reader });
      assert.equal((await client.messages.next()).type, 'authenticated');
      const snapshot = (await client.messages.next()) as unknown as Snapshot;
      assert.equal(snapshot.task.status, 'succeeded');
      assert.equal(snapshot.logs.length, 100);
      assert.equal(snapshot.logs[0]!.message, 'line 1', 'the first line is left out');
      assert.equal(snapshot.logs.at(-1)!.message, 'line 100');
      assert.deepEqual(Object.keys(snapshot.logs[0]!).sort(), ['at', 'attempt', 'id', 'level', 'message']);
      assert.deepEqual(await client.closed, { code: 1000, reason: 'task finished' });
      assert.equal(client.messages.size, 0);
    });

    it('closes with 4404 for an unknown task and 1008 without agents:read or a valid credential', async () => {
      for (const id of [randomUUID(), 'not-a-uuid']) {
        const client = connectWebSocket(url(id), [], bearer(reader));
        assert.deepEqual(await client.closed, { code: 4404, reason: 'no such task' }, id);
      }
      const task = await submit('scripted', {});
      const outsider = await t.createKey(['proposals:read']);
      const refused = connectWebSocket(url(task.id), [], bearer(outsider));
      assert.equal((await refused.messages.next()).type, 'authenticated');
      assert.deepEqual(await refused.closed, { code: 1008, reason: 'needs the agents:read scope' });
      assert.equal(refused.messages.size, 0, 'no snapshot without the scope');

      const forged = connectWebSocket(url(task.id), [`bearer.lvl_${'a'.repeat(40)}`]);
      assert.equal((await forged.closed).code, 1008);
      const chatty = connectWebSocket(url(task.id));
      await chatty.opened;
      chatty.send({ type: 'subscribe', topics: ['tasks'] });
      assert.equal((await chatty.closed).code, 1008);
    });
  });
}
