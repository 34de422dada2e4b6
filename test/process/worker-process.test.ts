import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPostgresDatabase, dropPostgresDatabase } from '../support/database.js';
import { connectWebSocket } from '../support/event-clients.js';
import { freePort } from '../support/free-port.js';
import { healthy, startLvlup, type LvlupProcess } from '../support/lvlup-process.js';

const ADMIN_KEY = `lvl_${randomBytes(30).toString('base64url')}`;

describe(
  'lvlup serve --no-worker with a separate lvlup worker on one PostgreSQL database',
  {
    skip: process.env.TEST_DATABASE_URL ? false : 'needs TEST_DATABASE_URL (a database both processes share)',
    timeout: 120_000,
  },
  () => {
    let databaseUrl: string;
    let folder: string;
    let api: LvlupProcess;
    let worker: LvlupProcess;
    let url: string;

    before(async () => {
      databaseUrl = await createPostgresDatabase();
      folder = mkdtempSync(path.join(os.tmpdir(), 'lvlup-worker-'));
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      const common = { DATABASE_URL: databaseUrl, LVLUP_ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'info' };
      api = startLvlup(['serve', '--no-worker'], folder, { ...common, PORT: String(port) });
      await healthy(url, api);
      worker = startLvlup(['worker'], folder, { ...common, LVLUP_DATA_DIR: path.join(folder, 'worker-data') });
      await worker.waitFor('worker started');
    });
    after(async () => {
      await api?.stop();
      await worker?.stop();
      if (databaseUrl) await dropPostgresDatabase(databaseUrl);
      if (folder) rmSync(folder, { recursive: true, force: true });
    });

    const call = async (method: string, route: string, body?: unknown) => {
      const response = await fetch(`${url}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_KEY}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    it('runs a task started through the API in the worker process', async () => {
      const ready = await call('GET', '/health/ready');
      assert.equal(ready.status, 200);
      assert.equal((ready.body.queue as { worker: unknown }).worker, null, 'the API process runs no worker');

      const started = await call('POST', '/agents/guardian/run', {});
      assert.equal(started.status, 202, JSON.stringify(started.body));
      const id = String(started.body.id);
      // The API process's feed of the task closes with 1000 once the worker's final event for it crossed over.
      const feed = connectWebSocket(`${url.replace('http', 'ws')}/ws/tasks/${id}`, [], {
        authorization: `Bearer ${ADMIN_KEY}`,
      });
      assert.deepEqual(await feed.closed, { code: 1000, reason: 'task finished' }, worker.output());
      const task = (await call('GET', `/api/v1/tasks/${id}`)).body;
      assert.equal(task.status, 'succeeded', JSON.stringify(task));
      assert.deepEqual((task.result as { kind: string; repositories: unknown[] }).kind, 'guardian_scan');
      assert.deepEqual((task.result as { repositories: unknown[] }).repositories, []);
    });

    it('stops the worker cleanly on SIGTERM', async () => {
      assert.equal(await worker.stop(), 0, worker.output());
    });
  },
);
