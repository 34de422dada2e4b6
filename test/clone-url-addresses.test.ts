import assert from 'node:assert/strict';
import { mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { repositories } from '../src/db/schema.js';
import { git } from '../src/git/git.js';
import { remoteSettings } from '../src/repositories/remote-access.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { createRepository, gitIn } from './support/repository-fixtures.js';

/**
 * A TCP server on this machine's loopback addresses (IPv4 and, where the machine has it, IPv6) that
 * records every connection and closes it: git reaching it shows as a connection, git refused before
 * connecting shows as none.
 */
async function connectionRecorder(): Promise<{ port: number; connections: string[]; close(): Promise<void> }> {
  const connections: string[] = [];
  const server = net.createServer((socket) => {
    connections.push(socket.remoteAddress ?? '?');
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', () => {
      server.removeAllListeners('error');
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    server.listen(0, '::', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

for (const target of databaseTargets()) {
  describe(`clone URLs and the addresses they reach on ${target}`, () => {
    let workspace: string;
    let recorder: Awaited<ReturnType<typeof connectionRecorder>>;
    let t: TestApp;
    let writerKey: string;

    const register = (app: TestApp, key: string, cloneUrl: string) =>
      app.request({ method: 'POST', url: '/api/v1/repositories', key, payload: { clone_url: cloneUrl } });

    before(async () => {
      workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-clone-addresses-')));
      recorder = await connectionRecorder();
      t = await createTestApp(target, {
        environment: { LVLUP_DATA_DIR: path.join(workspace, 'data'), LVLUP_REPO_ROOTS: path.join(workspace, 'code') },
      });
      writerKey = await t.createKey(['repos:read', 'repos:write']);
    });
    after(async () => {
      await t.close();
      await recorder.close();
      await rm(workspace, { recursive: true, force: true });
    });

    for (const host of [
      '127.0.0.1',
      '2130706433',
      '0x7f.1',
      '017700000001',
      '127.1',
      '[::1]',
      '[::ffff:127.0.0.1]',
      '[0:0:0:0:0:0:0:1]',
      'localhost',
      '0.0.0.0',
    ]) {
      it(`refuses https://${host}:<port>/ with 403 address_not_allowed before connecting`, async () => {
        const response = await register(t, writerKey, `https://${host}:${recorder.port}/x.git`);
        assert.equal(response.statusCode, 403, response.body);
        assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
        const body = response.json<{ code: string; detail: string; errors: { field: string }[] }>();
        assert.equal(body.code, 'address_not_allowed');
        assert.equal(body.errors[0]?.field, 'body.clone_url');
        assert.match(body.detail, /loopback|unspecified/);
        assert.deepEqual(recorder.connections, []);
        assert.equal((await t.database.orm.select().from(repositories)).length, 0);
      });
    }

    it('refuses plain http:// (any host, any numeric form) by scheme, before connecting', async () => {
      for (const url of [`http://2130706433:${recorder.port}/`, `http://[::1]:${recorder.port}/`]) {
        const response = await register(t, writerKey, url);
        assert.equal(response.statusCode, 400, response.body);
        assert.equal(response.json().code, 'invalid_clone_url');
      }
      assert.deepEqual(recorder.connections, []);
    });

    it('checks the address again when a registered clone is synced', async () => {
      const upstream = path.join(workspace, 'code', 'upstream');
      await createRepository(upstream, { 'README.md': 'hello\n' });
      const created = await register(t, writerKey, pathToFileURL(upstream).href);
      assert.equal(created.statusCode, 201, created.body);
      const { id } = created.json<{ id: string }>();
      // What origin names has changed since registration (as a DNS answer can): a fetch must not follow it.
      await gitIn(
        path.join(workspace, 'data', 'repositories', id),
        'config',
        'remote.origin.url',
        `https://localhost:${recorder.port}/x.git`,
      );
      const synced = await t.request({ method: 'POST', url: `/api/v1/repositories/${id}/sync`, key: writerKey });
      assert.equal(synced.statusCode, 403, synced.body);
      assert.equal(synced.json().code, 'address_not_allowed');
      assert.deepEqual(recorder.connections, []);
      // Without an origin there is nothing to check or fetch: 422, not a server error.
      await gitIn(path.join(workspace, 'data', 'repositories', id), 'config', '--remove-section', 'remote.origin');
      const orphan = await t.request({ method: 'POST', url: `/api/v1/repositories/${id}/sync`, key: writerKey });
      assert.equal(orphan.statusCode, 422, orphan.body);
      assert.equal(orphan.json().code, 'fetch_failed');
    });

    it("fetches a registered folder's remotes only where a clone could reach, and still syncs", async () => {
      const folder = path.join(workspace, 'code', 'own-remotes');
      await createRepository(folder, { 'README.md': 'mine\n' });
      const upstream = path.join(workspace, 'code', 'upstream-for-own');
      await createRepository(upstream, { 'README.md': 'theirs\n' });
      // The folder's configuration is not lvlup's: its remotes point at private addresses and other protocols.
      await gitIn(folder, 'config', 'remote.private.url', `https://127.0.0.1:${recorder.port}/x.git`);
      await gitIn(folder, 'config', 'remote.private.fetch', '+refs/heads/*:refs/remotes/private/*');
      await gitIn(folder, 'config', 'remote.plain.url', `git://127.0.0.1:${recorder.port}/x`);
      await gitIn(folder, 'config', 'remote.plain.fetch', '+refs/heads/*:refs/remotes/plain/*');
      await gitIn(folder, 'config', 'remote.local.url', upstream);
      await gitIn(folder, 'config', 'remote.local.fetch', '+refs/heads/*:refs/remotes/local/*');
      const created = await t.request({
        method: 'POST',
        url: '/api/v1/repositories',
        key: t.adminKey,
        payload: { path: folder },
      });
      assert.equal(created.statusCode, 201, created.body);
      const synced = await t.request({
        method: 'POST',
        url: `/api/v1/repositories/${created.json<{ id: string }>().id}/sync`,
        key: writerKey,
      });
      assert.equal(synced.statusCode, 200, synced.body);
      assert.deepEqual(recorder.connections, []);
      // the local remote was fetched
      const { stdout } = await git(['for-each-ref', '--format=%(refname)', 'refs/remotes/'], { cwd: folder });
      assert.deepEqual(stdout.trim().split('\n'), ['refs/remotes/local/main']);
    });

    it('pins git to the checked address: the host name is not resolved again', async () => {
      const settings = await remoteSettings(`https://localhost:${recorder.port}/x.git`, {
        allow: ['127.0.0.1/32', '::1/128'],
        failureCode: 'fetch_failed',
      });
      const pin = settings.find((setting) => setting.startsWith('http.curloptResolve='));
      assert.match(
        pin ?? '',
        new RegExp(`^http\\.curloptResolve=localhost:${recorder.port}:(127\\.0\\.0\\.1|\\[::1\\])$`),
      );
      assert.ok(settings.includes('http.followRedirects=false'));
      // The installed git honours the pin: a name that resolves nowhere reaches the pinned address.
      const before = recorder.connections.length;
      await assert.rejects(
        git(['ls-remote', `https://pinned.invalid:${recorder.port}/x.git`], {
          cwd: workspace,
          settings: [`http.curloptResolve=pinned.invalid:${recorder.port}:127.0.0.1`],
        }),
      );
      assert.ok(recorder.connections.length > before, 'git did not connect to the pinned address');
    });

    it('connects to an address LVLUP_OUTBOUND_ALLOW allows, pinned to the address it checked', async () => {
      const app = await createTestApp(target, {
        environment: {
          LVLUP_DATA_DIR: path.join(workspace, 'data-allowed'),
          LVLUP_OUTBOUND_ALLOW: '127.0.0.1/32,::1/128',
        },
      });
      try {
        const key = await app.createKey(['repos:write']);
        // The recorder speaks no TLS, so git reaches it and then fails: 422 clone_failed, nothing kept.
        for (const host of ['127.0.0.1', 'localhost']) {
          const before = recorder.connections.length;
          const response = await register(app, key, `https://${host}:${recorder.port}/x.git`);
          assert.equal(response.statusCode, 422, response.body);
          assert.equal(response.json().code, 'clone_failed');
          assert.ok(recorder.connections.length > before, `git did not reach the server for ${host}`);
        }
        assert.equal((await app.database.orm.select().from(repositories)).length, 0);
        assert.deepEqual(await readdir(path.join(workspace, 'data-allowed', 'repositories')), []);
        // 127.0.0.2 is loopback but outside the allowed /32.
        const outside = await register(app, key, `https://127.0.0.2:${recorder.port}/x.git`);
        assert.equal(outside.statusCode, 403, outside.body);
        assert.equal(outside.json().code, 'address_not_allowed');
      } finally {
        await app.close();
      }
    });
  });
}
