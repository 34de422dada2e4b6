import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { asc } from 'drizzle-orm';
import { events } from '../src/db/schema.js';
import type { DomainEvent } from '../src/events/bus.js';
import { createStoredEventBus } from '../src/events/stored-bus.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { connectWebSocket, openEventStream } from './support/event-clients.js';

let proposalCounter = 0;
const proposalPayload = () => {
  proposalCounter += 1;
  return {
    ai_type: 'imperium',
    file_path: `src/events-${proposalCounter}.js`,
    code_before: `const n = ${proposalCounter};\n`,
    code_after: `const n = ${proposalCounter + 1000};\n`,
  };
};

for (const target of databaseTargets()) {
  describe(`real-time events on ${target}`, () => {
    let t: TestApp;
    let baseUrl: string;
    let writer: string;
    let outsider: string;
    before(async () => {
      t = await createTestApp(target);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      writer = await t.createKey(['proposals:read', 'proposals:write']);
      outsider = await t.createKey(['repos:read']);
    });
    after(() => t.close());

    const createProposal = async () => {
      const response = await t.request({ method: 'POST', url: '/proposals/', key: writer, payload: proposalPayload() });
      assert.equal(response.statusCode, 201, response.body);
      return response.json<{ id: string }>();
    };
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

    it('stores the events of a proposal created and accepted through HTTP', async () => {
      const proposal = await createProposal();
      const accepted = await t.request({
        method: 'POST',
        url: `/proposals/${proposal.id}/accept`,
        key: writer,
        payload: { reason: 'valuable' },
      });
      assert.equal(accepted.statusCode, 200, accepted.body);
      const stored = (await t.database.orm.select().from(events).orderBy(asc(events.id))).filter(
        (row) => row.data.id === proposal.id,
      );
      assert.deepEqual(
        stored.map((row) => [row.type, row.topic, row.data.status]),
        [
          ['proposal.created', 'proposals', 'pending'],
          ['proposal.accepted', 'proposals', 'accepted'],
        ],
      );
      assert.ok(stored[0]!.id < stored[1]!.id);
    });

    it('streams events live over SSE and replays exactly the missed ones after Last-Event-ID', async () => {
      const first = await openEventStream(baseUrl, '/api/v1/events?topics=proposals', bearer(writer));
      assert.equal(first.response.statusCode, 200);
      assert.match(String(first.response.headers['content-type']), /^text\/event-stream/);
      assert.ok(first.response.headers['x-request-id']);
      const live = await createProposal();
      const received = await first.received.next();
      assert.equal(received.event, 'proposal.created');
      assert.equal(received.data.id, received.id);
      assert.equal(received.data.topic, 'proposals');
      assert.equal(received.data.data.id, live.id);
      assert.ok(!Number.isNaN(Date.parse(received.data.timestamp)));
      first.close();

      const missed = [await createProposal(), await createProposal()];
      const second = await openEventStream(baseUrl, '/api/v1/events', {
        ...bearer(writer),
        'last-event-id': received.id,
      });
      const replayed = [await second.received.next(), await second.received.next()];
      assert.deepEqual(
        replayed.map((event) => event.data.data.id),
        missed.map((proposal) => proposal.id),
      );
      assert.ok(Number(replayed[0]!.id) > Number(received.id));
      const after = await createProposal();
      assert.equal((await second.received.next()).data.data.id, after.id, 'nothing else was replayed');
      second.close();

      const byQuery = await openEventStream(
        baseUrl,
        `/api/v1/events?topics=proposals&last_event_id=${replayed[1]!.id}`,
        bearer(writer),
      );
      assert.equal((await byQuery.received.next()).data.data.id, after.id);
      byQuery.close();
    });

    it('removes the subscription when an SSE client disconnects', async () => {
      const count = { subscribers: 0 };
      const subscriberCount = () => count.subscribers;
      let unsubscribed!: () => void;
      const allUnsubscribed = new Promise<void>((resolve) => (unsubscribed = resolve));
      const bus = t.app.services.events;
      const original = bus.subscribe.bind(bus);
      const counting = (listener: (event: DomainEvent) => void) => {
        count.subscribers += 1;
        const unsubscribe = original(listener);
        return () => {
          count.subscribers -= 1;
          unsubscribe();
          if (count.subscribers === 0) unsubscribed();
        };
      };
      Object.assign(bus, { subscribe: counting });
      try {
        const stream = await openEventStream(baseUrl, '/api/v1/events', bearer(writer));
        assert.equal(subscriberCount(), 1);
        stream.close();
        await allUnsubscribed;
        assert.equal(subscriberCount(), 0);
      } finally {
        Object.assign(bus, { subscribe: original });
      }
    });

    it('checks credentials, scopes, topics and resume ids before streaming', async () => {
      const anonymous = await t.request({ method: 'GET', url: '/api/v1/events' });
      assert.equal(anonymous.statusCode, 401);
      const forbidden = await t.request({ method: 'GET', url: '/api/v1/events?topics=proposals', key: outsider });
      assert.equal(forbidden.statusCode, 403);
      assert.match(forbidden.json().detail, /proposals:read/);
      assert.equal((await t.request({ method: 'GET', url: '/api/v1/events', key: outsider })).statusCode, 403);
      const unknown = await t.request({ method: 'GET', url: '/api/v1/events?topics=proposals,nope', key: writer });
      assert.equal(unknown.statusCode, 400);
      assert.equal(unknown.json().code, 'unknown_topic');
      for (const [url, headers] of [
        ['/api/v1/events?last_event_id=abc', {}],
        ['/api/v1/events', { 'last-event-id': '../1' }],
        [`/api/v1/events?topics=${'x'.repeat(600)}`, {}],
      ] as const) {
        const response = await t.request({ method: 'GET', url, headers, key: writer });
        assert.equal(response.statusCode, 400, url);
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      }
    });

    const webSocketUrl = () => `${baseUrl.replace('http', 'ws')}/ws`;

    it('authenticates a WebSocket by header, subprotocol or first message and delivers proposal events', async () => {
      const byHeader = connectWebSocket(webSocketUrl(), [], bearer(writer));
      const byProtocol = connectWebSocket(webSocketUrl(), ['lvlup.events', `bearer.${writer}`]);
      const byMessage = connectWebSocket(webSocketUrl());
      await byMessage.opened;
      byMessage.send({ type: 'auth', token: writer });
      await byProtocol.opened;
      assert.equal(byProtocol.socket.protocol, 'lvlup.events');
      for (const client of [byHeader, byProtocol, byMessage]) {
        assert.equal((await client.messages.next()).type, 'authenticated');
        client.send({ type: 'subscribe', topics: ['proposals'] });
        assert.deepEqual(await client.messages.next(), { type: 'subscribed', topics: ['proposals'] });
      }
      const proposal = await createProposal();
      for (const client of [byHeader, byProtocol, byMessage]) {
        const event = await client.messages.next();
        assert.equal(event.type, 'proposal.created');
        assert.equal(event.topic, 'proposals');
        assert.equal((event.data as { id: string }).id, proposal.id);
        client.socket.close();
      }

      const unsubscribed = connectWebSocket(webSocketUrl(), [], bearer(writer));
      assert.equal((await unsubscribed.messages.next()).type, 'authenticated');
      unsubscribed.send({ type: 'subscribe', topics: ['proposals'] });
      await unsubscribed.messages.next();
      unsubscribed.send({ type: 'unsubscribe', topics: ['proposals'] });
      assert.deepEqual(await unsubscribed.messages.next(), { type: 'unsubscribed', topics: ['proposals'] });
      await createProposal();
      await assert.rejects(unsubscribed.messages.next(300), /nothing arrived/);
      unsubscribed.socket.close();
    });

    it('refuses a topic the principal may not read with an error message', async () => {
      const client = connectWebSocket(webSocketUrl(), [], bearer(outsider));
      assert.equal((await client.messages.next()).type, 'authenticated');
      client.send({ type: 'subscribe', topics: ['proposals', 'nope'] });
      const refusals = [await client.messages.next(), await client.messages.next()];
      assert.deepEqual(
        refusals.map((message) => [message.type, message.code, message.topic]),
        [
          ['error', 'forbidden', 'proposals'],
          ['error', 'unknown_topic', 'nope'],
        ],
      );
      client.send({ type: 'dance' });
      assert.equal((await client.messages.next()).code, 'bad_message');
      await createProposal();
      await assert.rejects(client.messages.next(300), /nothing arrived/);
      client.socket.close();
    });

    it('closes a WebSocket with a bad credential with 1008 (policy violation)', async () => {
      const badHeader = connectWebSocket(webSocketUrl(), [], bearer('lvl_nonsense'));
      assert.equal((await badHeader.closed).code, 1008);
      const badProtocol = connectWebSocket(webSocketUrl(), [`bearer.lvl_${'a'.repeat(40)}`]);
      assert.equal((await badProtocol.closed).code, 1008);
      const badMessage = connectWebSocket(webSocketUrl());
      await badMessage.opened;
      badMessage.send({ type: 'auth', token: 'not-a-token' });
      assert.equal((await badMessage.closed).code, 1008);
      const subscribeFirst = connectWebSocket(webSocketUrl());
      await subscribeFirst.opened;
      subscribeFirst.send({ type: 'subscribe', topics: ['proposals'] });
      assert.equal((await subscribeFirst.closed).code, 1008);
    });

    it('prunes events older than the retention window', async () => {
      let now = new Date('2026-01-01T00:00:00Z');
      const bus = createStoredEventBus({ database: t.database, retentionSeconds: 3600, now: () => now });
      const old = await bus.publish({ type: 'test.old', topic: 'retention', data: {} });
      now = new Date('2026-01-01T02:00:00Z');
      const recent = await bus.publish({ type: 'test.recent', topic: 'retention', data: {} });
      await bus.prune();
      const remaining = (await t.database.orm.select().from(events)).filter((row) => row.topic === 'retention');
      assert.deepEqual(
        remaining.map((row) => String(row.id)),
        [recent.id],
      );
      assert.notEqual(old.id, recent.id);
    });
  });
}
