import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DomainEvent } from '../src/events/bus.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

interface DeploymentBody {
  id: string;
  slug: string;
  project_id: string;
  status: string;
  desired: string;
  url: string | null;
  port: number | null;
  restarts: number;
  commit: string;
  proxy_path: string;
  last_health: { ok: boolean; status: number | null } | null;
  failure: { code: string; message: string } | null;
}

const fixture = new URL('./fixtures/deploy-app/', import.meta.url);

/** Resolves with the first event on `deployments/{id}` of one of `types`; subscribe before acting. */
/** Resolves once a stored log line of the deployment matches `pattern` (lines are stored, then published). */
function loggedLine(t: TestApp, id: () => string, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const stop = t.app.services.events.subscribe((event) => {
      if (event.topic !== `deployments/${id()}` || event.type !== 'deployment.log') return;
      const lines = (event.data as { lines?: { line: string }[] }).lines ?? [];
      if (lines.some((line) => pattern.test(line.line))) {
        stop();
        resolve();
      }
    });
  });
}

function nextEvent(t: TestApp, id: () => string, types: string[]): Promise<DomainEvent> {
  return new Promise((resolve) => {
    const stop = t.app.services.events.subscribe((event) => {
      if (event.topic === `deployments/${id()}` && types.includes(event.type)) {
        stop();
        resolve(event);
      }
    });
  });
}

/** An HTTP request over loopback TCP to the deployed app; rejects when nothing answers. */
function call(url: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method, timeout: 10_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

for (const target of databaseTargets()) {
  describe(`deployments (${target})`, () => {
    let t: TestApp;
    let workspace: string;
    let ownerKey: string;
    let otherKey: string;

    before(async () => {
      workspace = mkdtempSync(path.join(tmpdir(), 'lvlup-deployments-'));
      t = await createTestApp(target, {
        environment: {
          LVLUP_DATA_DIR: path.join(workspace, 'data'),
          PROJECT_PACKAGE_CACHE: path.join(tmpdir(), 'lvlup-npm-cache'),
        },
        // Restarts follow at once; health checks only when asked (the test kills the app itself).
        deployments: { timings: { backoffBaseMs: 1, backoffMaxMs: 1, healthIntervalMs: 3_600_000 } },
      });
      ownerKey = await t.createKey(['projects:read', 'projects:write']);
      otherKey = await t.createKey(['projects:read', 'projects:write']);
    });
    after(async () => {
      await t.close();
      rmSync(workspace, { recursive: true, force: true });
    });

    /** A project whose repository holds the fixture app (with `change` applied) in one commit. */
    async function projectWithApp(name: string, change?: (folder: string) => void): Promise<string> {
      const created = await t.request({
        method: 'POST',
        url: '/api/v1/projects',
        key: ownerKey,
        payload: { name, template: 'todo' },
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json<{ id: string }>().id;
      const folder = path.join(workspace, 'data', 'projects', id);
      mkdirSync(folder, { recursive: true });
      cpSync(fixture, folder, { recursive: true });
      change?.(folder);
      const git = (...args: string[]) => execFileSync('git', args, { cwd: folder, stdio: 'pipe' });
      git('init', '--quiet', '--initial-branch=main');
      git('add', '--all');
      git('-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '--quiet', '-m', 'app');
      return id;
    }

    const deploy = (projectId: string, key = ownerKey) =>
      t.request({
        method: 'POST',
        url: '/api/v1/deployments',
        key,
        payload: { project_id: projectId, start_command: 'exec node server.js', health_path: '/health' },
      });
    const read = async (id: string) =>
      (await t.request({ method: 'GET', url: `/api/v1/deployments/${id}`, key: ownerKey })).json<DeploymentBody>();

    it(
      'runs a commit in the sandbox behind a loopback port, restarts it when it dies, stops and deletes it',
      { timeout: 180_000 },
      async () => {
        const projectId = await projectWithApp('tiny app');
        let id = '';
        const running = nextEvent(t, () => id, ['deployment.running', 'deployment.failed']);
        const created = await deploy(projectId);
        assert.equal(created.statusCode, 201, created.body);
        const body = created.json<DeploymentBody>();
        id = body.id;
        assert.equal(body.status, 'pending');
        assert.match(body.proxy_path, /^\/apps\/tiny-app-[0-9a-f]{8}\/$/);
        assert.equal((await running).type, 'deployment.running', JSON.stringify((await running).data));

        const first = await read(id);
        assert.equal(first.status, 'running');
        assert.equal(first.url, `http://127.0.0.1:${first.port}/`);
        assert.deepEqual(first.last_health && [first.last_health.ok, first.last_health.status], [true, 200]);
        const answer = await call(`${first.url}health`);
        assert.deepEqual(answer, { status: 200, body: 'ok' });

        // A second deployment of the project, a start of a running one, someone else's action, an unknown id.
        assert.equal((await deploy(projectId)).statusCode, 409);
        const startAgain = await t.request({ method: 'POST', url: `/api/v1/deployments/${id}/start`, key: ownerKey });
        assert.equal(startAgain.statusCode, 409, startAgain.body);
        assert.equal(startAgain.json<{ code: string }>().code, 'deployment_state_conflict');
        const foreign = await t.request({ method: 'POST', url: `/api/v1/deployments/${id}/stop`, key: otherKey });
        assert.equal(foreign.statusCode, 403, foreign.body);
        const unknown = await t.request({
          method: 'GET',
          url: '/api/v1/deployments/00000000-0000-4000-8000-000000000000',
          key: ownerKey,
        });
        assert.equal(unknown.statusCode, 404);
        assert.equal(unknown.json<{ code: string }>().code, 'deployment_not_found');
        const unknownProject = await deploy('00000000-0000-4000-8000-000000000000');
        assert.equal(unknownProject.statusCode, 404, unknownProject.body);

        // The app dies by SIGKILL: the supervisor says so, counts it, and starts it again on the same port.
        const restarted = nextEvent(t, () => id, ['deployment.restarted']);
        // The supervisor writes log lines in batches: the restart's own line may be stored after the events.
        const restartLogged = loggedLine(t, () => id, /the app exited \(SIGKILL\); starting it again/);
        const runningAgain = restarted.then(() => nextEvent(t, () => id, ['deployment.running']));
        await call(`${first.url}crash`, 'POST').catch(() => undefined);
        const restart = await restarted;
        assert.equal(restart.data.signal, 'SIGKILL');
        assert.equal(restart.data.restarts, 1);
        await runningAgain;
        const second = await read(id);
        assert.equal(second.restarts, 1);
        assert.equal(second.port, first.port);
        assert.equal((await call(`${second.url}health`)).status, 200);

        // The log: what the app wrote and what the supervisor did, paged with a cursor.
        await restartLogged;
        const page = await t.request({ method: 'GET', url: `/api/v1/deployments/${id}/logs?limit=2`, key: ownerKey });
        assert.equal(page.statusCode, 200);
        const firstPage = page.json<{ lines: { id: number; line: string }[]; next_cursor: number }>();
        assert.equal(firstPage.lines.length, 2);
        const rest = (
          await t.request({
            method: 'GET',
            url: `/api/v1/deployments/${id}/logs?after=${firstPage.next_cursor}&limit=1000`,
            key: ownerKey,
          })
        ).json<{ lines: { id: number; source: string; line: string }[] }>();
        assert.ok(rest.lines.every((line) => line.id > firstPage.next_cursor));
        const text = [...firstPage.lines, ...rest.lines].map((line) => line.line).join('\n');
        assert.match(text, /crashing on request/);
        assert.match(text, /the app exited \(SIGKILL\); starting it again/);

        // Stop, then start again.
        const stopped = nextEvent(t, () => id, ['deployment.stopped']);
        const stop = await t.request({ method: 'POST', url: `/api/v1/deployments/${id}/stop`, key: ownerKey });
        assert.equal(stop.statusCode, 202, stop.body);
        await stopped;
        const afterStop = await read(id);
        assert.equal(afterStop.status, 'stopped');
        assert.equal(afterStop.url, null);
        await assert.rejects(call(`${first.url}health`));
        const startedAgain = nextEvent(t, () => id, ['deployment.running']);
        const start = await t.request({ method: 'POST', url: `/api/v1/deployments/${id}/start`, key: ownerKey });
        assert.equal(start.statusCode, 202, start.body);
        await startedAgain;
        assert.equal((await read(id)).status, 'running');
        assert.equal(t.app.services.deployments.running(), 1);

        // Deleting it stops the app.
        const removed = await t.request({ method: 'DELETE', url: `/api/v1/deployments/${id}`, key: ownerKey });
        assert.equal(removed.statusCode, 204);
        await t.app.services.deployments.reconcile();
        assert.equal(t.app.services.deployments.running(), 0);
        assert.equal(
          (await t.request({ method: 'GET', url: `/api/v1/deployments/${id}`, key: ownerKey })).statusCode,
          404,
        );
      },
    );

    it(
      'proxies /apps/{slug}/… to the running app with its path, query and body, and only while it runs',
      { timeout: 180_000 },
      async () => {
        const projectId = await projectWithApp('Proxied Shop!');
        let id = '';
        const running = nextEvent(t, () => id, ['deployment.running', 'deployment.failed']);
        const created = await deploy(projectId);
        assert.equal(created.statusCode, 201, created.body);
        const body = created.json<DeploymentBody>();
        id = body.id;
        assert.match(body.slug, /^proxied-shop-[0-9a-f]{8}$/);
        assert.equal(body.slug, `proxied-shop-${projectId.slice(0, 8)}`);
        assert.equal(body.proxy_path, `/apps/${body.slug}/`);
        assert.equal((await running).type, 'deployment.running', JSON.stringify((await running).data));

        // A GET with a path and a query reaches the app as that path and query; lvlup's credential does not.
        const viewerKey = await t.createKey(['projects:read']);
        const answer = await t.request({
          method: 'GET',
          url: `/apps/${body.slug}/items/7?q=a%20b&tag=x&tag=y`,
          key: viewerKey,
          headers: { cookie: 'lvlup_csrf=secret; theme=dark' },
        });
        assert.equal(answer.statusCode, 200, answer.body);
        const echoed = answer.json<{
          path: string;
          method: string;
          body: string;
          pid: number;
          authorization: string | null;
          cookie: string | null;
          forwarded_prefix: string | null;
        }>();
        assert.equal(echoed.path, '/items/7?q=a%20b&tag=x&tag=y');
        assert.equal(echoed.method, 'GET');
        assert.equal(echoed.authorization, null);
        assert.equal(echoed.cookie, 'theme=dark');
        assert.equal(echoed.forwarded_prefix, `/apps/${body.slug}`);
        // The same process answers directly on its loopback port.
        const direct = JSON.parse((await call(`${(await read(id)).url}direct`)).body) as { pid: number };
        assert.equal(direct.pid, echoed.pid);

        // The app's root, with and without the trailing slash, and a body of any type passed on unread.
        for (const url of [`/apps/${body.slug}/`, `/apps/${body.slug}`]) {
          const root = await t.request({ method: 'GET', url, key: viewerKey });
          assert.equal(root.statusCode, 200, root.body);
          assert.equal(root.json<{ path: string }>().path, '/');
        }
        const posted = await t.request({
          method: 'POST',
          url: `/apps/${body.slug}/orders`,
          key: viewerKey,
          headers: { 'content-type': 'text/csv' },
          payload: 'id,total\n1,9.5\n',
        });
        assert.equal(posted.statusCode, 200, posted.body);
        assert.deepEqual(
          (({ path, method, body: text }) => ({ path, method, body: text }))(
            posted.json<{ path: string; method: string; body: string }>(),
          ),
          { path: '/orders', method: 'POST', body: 'id,total\n1,9.5\n' },
        );

        // Credentials as for any route: none is 401, a key without projects:read is 403.
        const anonymous = await t.request({ method: 'GET', url: `/apps/${body.slug}/` });
        assert.equal(anonymous.statusCode, 401);
        const noScope = await t.request({
          method: 'GET',
          url: `/apps/${body.slug}/`,
          key: await t.createKey(['agents:read']),
        });
        assert.equal(noScope.statusCode, 403);

        // An unknown slug is 404; a malformed one is 400 naming it.
        const unknown = await t.request({ method: 'GET', url: '/apps/no-such-app-00000000/x', key: viewerKey });
        assert.equal(unknown.statusCode, 404, unknown.body);
        assert.match(String(unknown.headers['content-type']), /^application\/problem\+json/);
        assert.equal(unknown.json<{ code: string }>().code, 'app_not_found');
        const malformed = await t.request({ method: 'GET', url: '/apps/Not_A_Slug/x', key: viewerKey });
        assert.equal(malformed.statusCode, 400, malformed.body);
        assert.equal(malformed.json<{ errors: { field: string }[] }>().errors[0]?.field, 'params.slug');

        // Conquest's seed routes show the same deployment in the seed's shape.
        const listed = await t.request({
          method: 'GET',
          url: `/conquest/deployments?project_id=${projectId}`,
          key: viewerKey,
        });
        assert.equal(listed.statusCode, 200, listed.body);
        assert.equal(listed.headers['x-total-count'], '1');
        const seedShape = await t.request({ method: 'GET', url: `/conquest/deployments/${id}`, key: viewerKey });
        assert.equal(seedShape.statusCode, 200, seedShape.body);
        const current = await read(id);
        assert.deepEqual(listed.json(), [seedShape.json()]);
        assert.deepEqual(
          (({ deployment_id, app_name, project_id, status, url, proxy_path, port, restarts }) => ({
            deployment_id,
            app_name,
            project_id,
            status,
            url,
            proxy_path,
            port,
            restarts,
          }))(seedShape.json<Record<string, unknown>>()),
          {
            deployment_id: id,
            app_name: 'Proxied Shop!',
            project_id: projectId,
            status: 'running',
            url: current.url,
            proxy_path: `/apps/${body.slug}/`,
            port: current.port,
            restarts: 0,
          },
        );

        // Stopped, the app is 503 through the proxy.
        const stopped = nextEvent(t, () => id, ['deployment.stopped']);
        const stop = await t.request({ method: 'POST', url: `/api/v1/deployments/${id}/stop`, key: ownerKey });
        assert.equal(stop.statusCode, 202, stop.body);
        await stopped;
        const unavailable = await t.request({ method: 'GET', url: `/apps/${body.slug}/items`, key: viewerKey });
        assert.equal(unavailable.statusCode, 503, unavailable.body);
        assert.match(String(unavailable.headers['content-type']), /^application\/problem\+json/);
        const problem = unavailable.json<{ code: string; current_status: string }>();
        assert.deepEqual([problem.code, problem.current_status], ['app_not_running', 'stopped']);

        const removed = await t.request({ method: 'DELETE', url: `/api/v1/deployments/${id}`, key: ownerKey });
        assert.equal(removed.statusCode, 204);
      },
    );

    it('ends a commit that does not build as failed, with the build log', { timeout: 120_000 }, async () => {
      const projectId = await projectWithApp('broken app', (folder) =>
        writeFileSync(
          path.join(folder, 'package.json'),
          JSON.stringify({
            name: 'broken',
            version: '1.0.0',
            scripts: { build: 'echo cannot compile this && exit 3' },
          }),
        ),
      );
      let id = '';
      const ended = nextEvent(t, () => id, ['deployment.running', 'deployment.failed']);
      const created = await deploy(projectId);
      id = created.json<DeploymentBody>().id;
      assert.equal((await ended).type, 'deployment.failed');
      const failed = await read(id);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.failure?.code, 'build_failed');
      assert.match(failed.failure?.message ?? '', /cannot compile this/);
      assert.equal(failed.url, null);
    });
  });
}
