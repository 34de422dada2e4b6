import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { and, desc, eq } from 'drizzle-orm';
import { events } from '../src/db/schema.js';
import { topicMatches } from '../src/events/topics.js';
import { createTestApp, eventually, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { connectWebSocket, type Message, openEventStream, readUntil } from './support/event-clients.js';
import { scriptedAgent, testRegistry } from './support/test-agents.js';

const isFinal = (taskId: string) => (message: Message) =>
  message.topic === `tasks/${taskId}` && message.type === 'task.succeeded';

describe('topic matching', () => {
  it('matches a topic itself, and every topic under the tasks, projects and deployments wildcards', () => {
    const id = randomUUID();
    assert.ok(topicMatches('proposals', 'proposals'));
    assert.ok(topicMatches(`tasks/${id}`, `tasks/${id}`));
    assert.ok(topicMatches('tasks', `tasks/${id}`));
    assert.ok(!topicMatches('tasks', 'tasksx/1'));
    assert.ok(!topicMatches(`tasks/${id}`, `tasks/${randomUUID()}`));
    assert.ok(!topicMatches('agents', 'proposals'));
    assert.ok(topicMatches('projects', `projects/${id}`));
    assert.ok(topicMatches('deployments', `deployments/${id}`));
    assert.ok(!topicMatches('projects', `deployments/${id}`));
  });
});

/**
 * A task that starts, logs and reports progress, then waits until the test lets it finish: the client that
 * subscribes to its topic once it knows the id must not lose the race against the task's end (a task that
 * merely worked 400 ms finished before a slow subscription on a loaded machine, and its end never came).
 */
let letHeldFinish: () => void = () => undefined;
const heldFinishes = new Promise<void>((resolve) => (letHeldFinish = resolve));
const held = scriptedAgent({
  type: 'held',
  async run(context) {
    await context.log('info', 'started');
    await context.progress(50);
    await heldFinishes;
    return { held: true };
  },
});

for (const target of databaseTargets()) {
  describe(`event topics on ${target}`, () => {
    let t: TestApp;
    let baseUrl: string;
    let watcher: string;
    let proposalsOnly: string;
    before(async () => {
      t = await createTestApp(target, { agents: testRegistry(held), worker: { pollIntervalMs: 200 } });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      watcher = await t.createKey(['agents:read', 'proposals:read', 'proposals:write', 'projects:read']);
      proposalsOnly = await t.createKey(['proposals:read']);
    });
    after(() => t.close());

    const webSocketUrl = () => `${baseUrl.replace('http', 'ws')}/ws`;
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
    const subscribed = async (key: string, topics: string[]) => {
      const client = connectWebSocket(webSocketUrl(), [], bearer(key));
      assert.equal((await client.messages.next()).type, 'authenticated');
      client.send({ type: 'subscribe', topics });
      return { client, answer: await client.messages.next() };
    };
    const submit = async (workMs: number) =>
      (
        await t.app.services.tasks.submit({
          agentType: 'scripted',
          input: { work_ms: workMs, log_lines: 1 },
          trigger: 'manual',
        })
      ).task;
    const createProposal = async () => {
      const response = await t.request({
        method: 'POST',
        url: '/proposals/',
        key: watcher,
        payload: {
          ai_type: 'imperium',
          file_path: `src/topics-${randomUUID()}.js`,
          code_before: 'const a = 1;\n',
          code_after: 'const a = 2;\n',
        },
      });
      assert.equal(response.statusCode, 201, response.body);
      return response.json<{ id: string }>();
    };

    it('delivers agent events, one task on tasks/{id} and every task on the tasks wildcard', async () => {
      const everyTask = await subscribed(watcher, ['tasks']);
      assert.deepEqual(everyTask.answer, { type: 'subscribed', topics: ['tasks'] });
      const agents = await subscribed(watcher, ['agents']);
      assert.deepEqual(agents.answer, { type: 'subscribed', topics: ['agents'] });

      // Its log line and progress come as it starts, before the client can know the id; its end comes once
      // the client is subscribed.
      const followed = (await t.app.services.tasks.submit({ agentType: 'held', input: {}, trigger: 'manual' })).task;
      // Ids are matched in lower case whatever the client sends.
      const oneTask = await subscribed(watcher, [`tasks/${followed.id.toUpperCase()}`]);
      assert.deepEqual(oneTask.answer, { type: 'subscribed', topics: [`tasks/${followed.id}`] });
      letHeldFinish();
      const other = await submit(0);

      const fromOneTask = await readUntil(oneTask.client, isFinal(followed.id));
      const seen = JSON.stringify(fromOneTask.map((message) => [message.type, message.topic]));
      assert.ok(
        fromOneTask.every((message) => message.topic === `tasks/${followed.id}`),
        seen,
      );

      const finished = new Set<string>();
      const fromEveryTask = await readUntil(everyTask.client, (message) => {
        if (message.type === 'task.succeeded') finished.add(String(message.topic));
        return finished.size === 2;
      });
      const typesOf = (id: string) =>
        fromEveryTask.filter((message) => message.topic === `tasks/${id}`).map((message) => message.type);
      for (const id of [followed.id, other.id]) {
        assert.equal(typesOf(id)[0], 'task.queued', `${id}: ${typesOf(id).join(', ')}`);
        assert.ok(typesOf(id).includes('task.started'), typesOf(id).join());
        assert.ok(typesOf(id).includes('task.progress'), typesOf(id).join());
      }

      const agentEvents = await readUntil(
        agents.client,
        (message) => (message.data as { agent?: { type: string } }).agent?.type === 'scripted',
      );
      assert.ok(agentEvents.every((message) => message.type === 'agent.status_changed' && message.topic === 'agents'));

      // The other task's events never reached the client following one task.
      await assert.rejects(oneTask.client.messages.next(300), /nothing arrived/);
      for (const client of [everyTask.client, agents.client, oneTask.client]) client.socket.close();
    });

    it('refuses topics the principal may not read and topics that do not exist', async () => {
      const id = randomUUID();
      const { client, answer } = await subscribed(proposalsOnly, [
        'agents',
        'tasks',
        `tasks/${id}`,
        `projects/${id}`,
        'tasks/not-a-uuid',
        'projects/1',
        'tasks/',
        'proposals',
      ]);
      const refusals = [answer];
      for (let index = 0; index < 6; index += 1) refusals.push(await client.messages.next());
      assert.deepEqual(
        refusals.map((message) => [message.code, message.topic]),
        [
          ['forbidden', 'agents'],
          ['forbidden', 'tasks'],
          ['forbidden', `tasks/${id}`],
          ['forbidden', `projects/${id}`],
          ['unknown_topic', 'tasks/not-a-uuid'],
          ['unknown_topic', 'projects/1'],
          ['unknown_topic', 'tasks/'],
        ],
      );
      assert.match(String(refusals[0]!.message), /agents:read/);
      assert.deepEqual(await client.messages.next(), { type: 'subscribed', topics: ['proposals'] });
      client.socket.close();

      const projects = await subscribed(watcher, [`projects/${id}`]);
      assert.deepEqual(projects.answer, { type: 'subscribed', topics: [`projects/${id}`] });
      // One connection holds at most 100 subscriptions; repeating one it holds is no new one.
      const many = () => Array.from({ length: 50 }, () => `tasks/${randomUUID()}`);
      projects.client.send({ type: 'subscribe', topics: many() });
      assert.equal(((await projects.client.messages.next()).topics as string[]).length, 50);
      projects.client.send({ type: 'subscribe', topics: many().slice(1) });
      assert.equal(((await projects.client.messages.next()).topics as string[]).length, 49);
      const extra = `tasks/${randomUUID()}`;
      projects.client.send({ type: 'subscribe', topics: [extra, `projects/${id}`] });
      const [refused, granted] = [await projects.client.messages.next(), await projects.client.messages.next()];
      assert.deepEqual([refused.code, refused.topic], ['too_many_topics', extra]);
      assert.deepEqual(granted, { type: 'subscribed', topics: [`projects/${id}`] });
      projects.client.socket.close();

      const forbidden = await t.request({ method: 'GET', url: '/api/v1/events?topics=tasks', key: proposalsOnly });
      assert.equal(forbidden.statusCode, 403);
      assert.match(forbidden.json().detail, /agents:read/);
      const unknown = await t.request({ method: 'GET', url: '/api/v1/events?topics=tasks/nope', key: watcher });
      assert.equal(unknown.statusCode, 400);
      assert.equal(unknown.json().code, 'unknown_topic');
    });

    it('replays task events through the tasks wildcard and by default, and only what was asked', async () => {
      const [last] = await t.database.orm.select({ id: events.id }).from(events).orderBy(desc(events.id)).limit(1);
      const resumeFrom = String(last?.id ?? 0);
      const task = await submit(0);
      const proposal = await createProposal();
      // The final event is recorded just after the status is written.
      await eventually(t, async () => {
        const stored = await t.database.orm
          .select({ id: events.id })
          .from(events)
          .where(and(eq(events.topic, `tasks/${task.id}`), eq(events.type, 'task.succeeded')));
        return stored.length > 0 ? true : undefined;
      });

      type Replayed = { id: string; type: string; topic: string; data: unknown };
      const isTaskEnd = (event: Replayed) => event.topic === `tasks/${task.id}` && event.type === 'task.succeeded';
      const isProposal = (event: Replayed) =>
        event.topic === 'proposals' && (event.data as { id?: string }).id === proposal.id;
      /**
       * Reads the replay until what it must hold has come (however slow the machine), then whatever follows
       * within half a second of quiet: anything there that was not asked for fails the checks below.
       */
      const replay = async (query: string, key: string, complete: (seen: Replayed[]) => boolean) => {
        const stream = await openEventStream(baseUrl, `/api/v1/events${query}`, {
          ...bearer(key),
          'last-event-id': resumeFrom,
        });
        assert.equal(stream.response.statusCode, 200);
        const seen: Replayed[] = [];
        while (!complete(seen)) seen.push((await stream.received.next(60_000)).data);
        for (;;) {
          const event = await stream.received.next(500).catch(() => undefined);
          if (!event) break;
          seen.push(event.data);
        }
        stream.close();
        return seen;
      };

      const tasksOnly = await replay('?topics=tasks', watcher, (seen) => seen.some(isTaskEnd));
      assert.ok(tasksOnly.length >= 4, JSON.stringify(tasksOnly));
      assert.ok(tasksOnly.every((event) => event.topic === `tasks/${task.id}`));
      assert.deepEqual(
        tasksOnly.map((event) => event.type).filter((type) => type !== 'task.log' && type !== 'task.progress'),
        ['task.queued', 'task.started', 'task.succeeded'],
      );
      const ids = tasksOnly.map((event) => Number(event.id));
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
      );

      const exact = await replay(
        `?topics=tasks/${task.id},proposals`,
        watcher,
        (seen) => seen.some(isTaskEnd) && seen.some(isProposal),
      );
      const proposalEvent = exact.find((event) => event.topic === 'proposals');
      assert.equal((proposalEvent?.data as { id?: string } | undefined)?.id, proposal.id);
      assert.deepEqual(
        exact.map((event) => Number(event.id)),
        [...tasksOnly, proposalEvent!].map((event) => Number(event.id)).sort((a, b) => a - b),
      );

      const everything = await replay('', watcher, (seen) => seen.some(isTaskEnd) && seen.some(isProposal));
      const topics = new Set(everything.map((event) => event.topic));
      assert.ok(topics.has('proposals') && topics.has('agents') && topics.has(`tasks/${task.id}`), [...topics].join());
      assert.ok(everything.some((event) => (event.data as { id?: string }).id === proposal.id));

      const proposalsDefault = await replay('', proposalsOnly, (seen) => seen.some(isProposal));
      assert.deepEqual(new Set(proposalsDefault.map((event) => event.topic)), new Set(['proposals']));
    });
  });
}
