import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { DomainEvent } from '../../src/events/bus.js';
import { notifyTransport, redisTransport } from '../../src/events/fan-out-transports.js';
import type { FanOutTransport } from '../../src/events/fan-out.js';
import { createStoredEventBus, type StoredEventBus } from '../../src/events/stored-bus.js';
import {
  createPostgresDatabase,
  createTestDatabase,
  databaseTargets,
  dropPostgresDatabase,
} from '../support/database.js';
import { connectWebSocket, queue } from '../support/event-clients.js';
import { freePort } from '../support/free-port.js';
import { healthy, startLvlup, type LvlupProcess } from '../support/lvlup-process.js';

/** Every event a bus's subscribers get, in order. */
function collect(bus: StoredEventBus) {
  const received = queue<DomainEvent>();
  bus.subscribe((event) => received.push(event));
  return received;
}

const transports: { name: string; make: (database: Parameters<typeof notifyTransport>[0]) => FanOutTransport }[] = [
  { name: 'NOTIFY', make: (database) => notifyTransport(database) },
];
if (process.env.TEST_REDIS_URL) {
  const channel = `lvlup-test:events:${randomUUID()}`;
  const clients: Redis[] = [];
  after(() => clients.forEach((client) => client.disconnect()));
  transports.push({
    name: 'Redis',
    make: () => {
      const client = new Redis(process.env.TEST_REDIS_URL!, { maxRetriesPerRequest: 1 });
      clients.push(client);
      return redisTransport(client, channel);
    },
  });
}

for (const target of databaseTargets()) {
  for (const { name, make } of transports) {
    describe(`two stored buses over ${name} on ${target}`, () => {
      let cleanup: () => Promise<void>;
      let first: StoredEventBus;
      let second: StoredEventBus;
      let bus: () => StoredEventBus;
      before(async () => {
        const testDatabase = await createTestDatabase(target);
        const errors: unknown[] = [];
        bus = () =>
          createStoredEventBus({
            database: testDatabase.database,
            retentionSeconds: 3600,
            transport: make(testDatabase.database),
            onError: (error) => errors.push(error),
          });
        first = bus();
        second = bus();
        await Promise.all([first.start(), second.start()]);
        cleanup = async () => {
          await Promise.all([first.stop(), second.stop()]);
          await testDatabase.cleanup();
          assert.deepEqual(errors, []);
        };
      });
      after(() => cleanup());

      it('delivers each event once to the other bus and never back to its own', async () => {
        const mine = collect(first);
        const theirs = collect(second);
        const small = await first.publish({ type: 'test.small', topic: 'proposals', data: { n: 1 } });
        // Bigger than a NOTIFY payload may be: it travels as its id and is read back from the log.
        const big = await first.publish({ type: 'test.big', topic: 'proposals', data: { text: 'x'.repeat(20_000) } });
        const after = await first.publish({ type: 'test.after', topic: 'proposals', data: { n: 2 } });
        assert.deepEqual([await mine.next(), await mine.next(), await mine.next()], [small, big, after]);
        // In the order published, the big one included, though it took a read more.
        assert.deepEqual([await theirs.next(), await theirs.next(), await theirs.next()], [small, big, after]);

        const reply = await second.publish({ type: 'test.reply', topic: 'proposals', data: {} });
        assert.deepEqual(await theirs.next(), reply);
        assert.deepEqual(await mine.next(), reply);
        // A duplicate would travel the transport ahead of any later event that travels it: once each bus has
        // heard the other's marker (its own comes directly, in either order), anything still to come would have.
        const firstMarker = await first.publish({ type: 'test.marker', topic: 'proposals', data: { from: 1 } });
        const secondMarker = await second.publish({ type: 'test.marker', topic: 'proposals', data: { from: 2 } });
        const byId = (events: DomainEvent[]) => events.sort((a, b) => a.id.localeCompare(b.id));
        const markers = byId([firstMarker, secondMarker]);
        assert.deepEqual(byId([await mine.next(), await mine.next()]), markers, 'an event arrived twice');
        assert.deepEqual(byId([await theirs.next(), await theirs.next()]), markers, 'an event arrived twice');
      });

      it('stops hearing the other bus after stop, while its own events still go out', async () => {
        await second.stop();
        const theirs = collect(second);
        const mine = collect(first);
        // A third bus still listening witnesses when the transport has delivered what the stopped one ignores.
        const witness = bus();
        await witness.start();
        const witnessed = collect(witness);
        const event = await second.publish({ type: 'test.late', topic: 'proposals', data: {} });
        assert.deepEqual(await mine.next(), event);
        assert.deepEqual(await witnessed.next(), event);
        const unheard = await first.publish({ type: 'test.unheard', topic: 'proposals', data: {} });
        assert.deepEqual(await witnessed.next(), unheard);
        await witness.stop();
        assert.deepEqual(await theirs.next(), event, 'its own event, delivered directly');
        assert.equal(theirs.size, 0, 'heard the other bus after stop');
      });
    });
  }
}

const ADMIN_KEY = `lvl_${randomBytes(30).toString('base64url')}`;

/** A `lvlup serve` child on the given database, healthy. */
async function serve(databaseUrl: string, folder: string, environment: Record<string, string>) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startLvlup(['serve'], folder, {
    DATABASE_URL: databaseUrl,
    LVLUP_DATA_DIR: path.join(folder, `data-${port}`),
    LVLUP_ADMIN_API_KEY: ADMIN_KEY,
    PORT: String(port),
    ...environment,
  });
  await healthy(url, child);
  return { process: child, url };
}

const processCases = [
  { name: 'PostgreSQL LISTEN/NOTIFY', redisUrl: undefined as string | undefined },
  ...(process.env.TEST_REDIS_URL ? [{ name: 'Redis pub/sub', redisUrl: process.env.TEST_REDIS_URL }] : []),
];

for (const { name, redisUrl } of processCases) {
  describe(
    `two server processes on one PostgreSQL database, fan-out over ${name}`,
    {
      skip: process.env.TEST_DATABASE_URL
        ? false
        : 'needs TEST_DATABASE_URL (a PostgreSQL server both processes share)',
      timeout: 180_000,
    },
    () => {
      let databaseUrl: string;
      let folder: string;
      const children: LvlupProcess[] = [];
      let a: Awaited<ReturnType<typeof serve>>;
      let b: Awaited<ReturnType<typeof serve>>;

      before(async () => {
        databaseUrl = await createPostgresDatabase();
        folder = mkdtempSync(path.join(os.tmpdir(), 'lvlup-fan-out-'));
        const environment: Record<string, string> = redisUrl ? { REDIS_URL: redisUrl } : {};
        // A first, so that it migrates alone; B runs no worker, to keep it to serving.
        a = await serve(databaseUrl, folder, environment);
        children.push(a.process);
        b = await serve(databaseUrl, folder, { ...environment, LVLUP_WORKER: 'false' });
        children.push(b.process);
      });
      after(async () => {
        await Promise.all(children.map((child) => child.stop()));
        if (databaseUrl) await dropPostgresDatabase(databaseUrl);
        if (folder) rmSync(folder, { recursive: true, force: true });
      });

      const subscribe = async (baseUrl: string) => {
        const client = connectWebSocket(`${baseUrl.replace('http', 'ws')}/ws`, ['lvlup.events', `bearer.${ADMIN_KEY}`]);
        assert.equal((await client.messages.next(10_000)).type, 'authenticated');
        client.send({ type: 'subscribe', topics: ['proposals'] });
        assert.deepEqual(await client.messages.next(), { type: 'subscribed', topics: ['proposals'] });
        return client;
      };
      const createProposal = async (baseUrl: string) => {
        const response = await fetch(`${baseUrl}/proposals/`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            ai_type: 'imperium',
            file_path: `src/fan-out-${randomUUID()}.js`,
            code_before: 'const a = 1;\n',
            code_after: 'const a = 2;\n',
          }),
        });
        assert.equal(response.status, 201, await response.clone().text());
        return (await response.json()) as { id: string };
      };

      it('delivers an event caused through A to a WebSocket client of B, once, with the same id', async () => {
        const redisMessages: string[] = [];
        let listener: Redis | undefined;
        if (redisUrl) {
          // Proof that the event went through Redis: listen on the installation's channel.
          const database = new pg.Client({ connectionString: databaseUrl });
          await database.connect();
          const { rows } = await database.query<{ value: string }>('select value from settings where key = $1', [
            'installation_id',
          ]);
          await database.end();
          listener = new Redis(redisUrl);
          listener.on('message', (_channel: string, message: string) => redisMessages.push(message));
          await listener.subscribe(`lvlup:events:${rows[0]!.value}`);
        }
        try {
          const onA = await subscribe(a.url);
          const onB = await subscribe(b.url);
          const proposal = await createProposal(a.url);
          const atA = await onA.messages.next(10_000);
          const atB = await onB.messages.next(10_000);
          assert.equal(atB.type, 'proposal.created');
          assert.equal((atB.data as { id: string }).id, proposal.id);
          assert.deepEqual(atB, atA, 'the same envelope, id included');

          const reply = await createProposal(b.url);
          assert.equal(((await onA.messages.next(10_000)).data as { id: string }).id, reply.id);
          assert.equal(((await onB.messages.next(10_000)).data as { id: string }).id, reply.id);
          // A duplicate would cross between the servers ahead of later events that cross: once each socket has
          // had a proposal made on the other server, anything still to come would have come.
          const markers = [(await createProposal(a.url)).id, (await createProposal(b.url)).id].sort();
          for (const socket of [onA, onB]) {
            const ids = [await socket.messages.next(10_000), await socket.messages.next(10_000)].map(
              (message) => (message.data as { id: string }).id,
            );
            assert.deepEqual(ids.sort(), markers, 'an event arrived twice');
          }
          onA.socket.close();
          onB.socket.close();
          if (listener) {
            assert.ok(
              redisMessages.some((message) => message.includes(`"id":"${atA.id as string}"`)),
              redisMessages.join('\n'),
            );
          }
        } finally {
          listener?.disconnect();
        }
      });
    },
  );
}
