import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DomainEvent } from '../src/events/bus.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

const blog = JSON.parse(readFileSync(new URL('./fixtures/app-specs/blog.json', import.meta.url), 'utf8')) as {
  name: string;
  description: string;
  spec: Record<string, unknown>;
};

interface ProjectBody {
  id: string;
  status: string;
  run: number;
  current_stage: string | null;
  failure: { code: string; message: string; stage?: string } | null;
  repository_id: string | null;
}
interface StageBody {
  stage: string;
  position: number;
  status: string;
  commit: string | null;
  reason: string | null;
  task_id: string | null;
  attempts: number;
}

/** Resolves with the first event on `projects/{id}` of one of `types`; subscribe before acting. */
function nextProjectEvent(t: TestApp, projectId: string, types: string[]): Promise<DomainEvent> {
  return new Promise((resolve) => {
    const stop = t.app.services.events.subscribe((event) => {
      if (event.topic === `projects/${projectId}` && types.includes(event.type)) {
        stop();
        resolve(event);
      }
    });
  });
}

/** Resolves once the task has ended, whichever way (subscribed before it is read, so no end is missed). */
async function taskSettled(t: TestApp, taskId: string): Promise<void> {
  const ended = new Promise<void>((resolve) => {
    const stop = t.app.services.events.subscribe((event) => {
      if (
        event.topic === `tasks/${taskId}` &&
        ['task.succeeded', 'task.failed', 'task.cancelled'].includes(event.type)
      ) {
        stop();
        resolve();
      }
    });
  });
  const task = await t.request({ method: 'GET', url: `/api/v1/tasks/${taskId}`, key: t.adminKey });
  if (['succeeded', 'failed', 'cancelled'].includes(task.json<{ status: string }>().status)) return;
  await ended;
}

for (const target of databaseTargets()) {
  describe(`projects (${target})`, () => {
    let t: TestApp;
    let workspace: string;
    let maintainerKey: string;
    let otherMaintainerKey: string;
    let viewerKey: string;

    before(async () => {
      workspace = mkdtempSync(path.join(tmpdir(), 'lvlup-projects-'));
      t = await createTestApp(target, {
        environment: {
          LVLUP_DATA_DIR: path.join(workspace, 'data'),
          // shared across runs and files, as it is across projects: the second install comes from disk
          PROJECT_PACKAGE_CACHE: path.join(tmpdir(), 'lvlup-npm-cache'),
        },
        worker: { pollIntervalMs: 50 },
      });
      maintainerKey = await t.createKey(['projects:read', 'projects:write']);
      otherMaintainerKey = await t.createKey(['projects:read', 'projects:write']);
      viewerKey = await t.createKey(['projects:read']);
    });
    after(async () => {
      await t.close();
      rmSync(workspace, { recursive: true, force: true });
    });

    const create = (payload: unknown, key = maintainerKey) =>
      t.request({ method: 'POST', url: '/api/v1/projects', key, payload: payload as Record<string, unknown> });

    it('refuses a bad spec, OpenAPI document, template or targets with 422 naming each fault by JSON pointer', async () => {
      const badSpec = await create({
        name: 'bad',
        spec: {
          entities: [
            {
              name: 'Task',
              fields: [{ name: 'state', type: 'enum' }],
              relations: [{ name: 'x', kind: 'belongs_to', target: 'Nobody' }],
            },
          ],
        },
      });
      assert.equal(badSpec.statusCode, 422, badSpec.body);
      const problem = badSpec.json<{ code: string; errors: { pointer: string; field: string }[] }>();
      assert.equal(problem.code, 'invalid_project');
      assert.deepEqual(problem.errors.map((error) => error.pointer).sort(), [
        '/spec/entities/0/fields/0/values',
        '/spec/entities/0/relations/0/target',
      ]);
      assert.ok(problem.errors.some((error) => error.field === 'body.spec.entities.0.fields.0.values'));

      const badOpenApi = await create({ name: 'bad', openapi: { openapi: '3.1.0', info: { title: 'x' }, paths: {} } });
      assert.equal(badOpenApi.statusCode, 422, badOpenApi.body);
      assert.match(badOpenApi.body, /version/);
      const badVersion = await create({ name: 'bad', openapi: { swagger: '2.0' } });
      assert.equal(badVersion.json<{ errors: { pointer: string }[] }>().errors[0]?.pointer, '/openapi/openapi');

      // Names the generated app takes for itself are refused before anything runs.
      const reserved = await create({
        name: 'bad',
        spec: {
          entities: [
            { name: 'User', auth: true, fields: [{ name: 'x', type: 'string' }] },
            { name: 'Application', plural: 'app', fields: [{ name: 'y', type: 'string' }] },
          ],
        },
      });
      assert.equal(reserved.statusCode, 422, reserved.body);
      assert.deepEqual(
        reserved.json<{ errors: { pointer: string }[] }>().errors.map((error) => error.pointer),
        ['/spec/entities/0/name', '/spec/entities/1/plural'],
      );

      const badTemplate = await create({ name: 'bad', template: 'nope' });
      assert.equal(badTemplate.statusCode, 422);
      assert.equal(badTemplate.json<{ errors: { pointer: string }[] }>().errors[0]?.pointer, '/template');
      const badTarget = await create({ name: 'bad', template: 'todo', targets: ['desktop'] });
      assert.equal(badTarget.statusCode, 400);
      const both = await create({ name: 'bad', template: 'todo', targets: ['web', 'api'] });
      assert.equal(both.statusCode, 422);

      const listed = await t.request({ method: 'GET', url: '/api/v1/projects', key: viewerKey });
      assert.equal(listed.headers['x-total-count'], '0', 'nothing was stored');
    });

    it('runs the design stages as tasks, committing each stage with its trailers and storing typed, hashed artifacts', async () => {
      const created = await create({
        name: blog.name,
        description: blog.description,
        spec: blog.spec,
        targets: ['web', 'flutter'],
      });
      assert.equal(created.statusCode, 201, created.body);
      const project = created.json<ProjectBody>();
      assert.equal(project.status, 'draft');

      const viewerStart = await t.request({
        method: 'POST',
        url: `/api/v1/projects/${project.id}/start`,
        key: viewerKey,
      });
      assert.equal(viewerStart.statusCode, 403);

      const ended = nextProjectEvent(t, project.id, ['project.failed', 'project.succeeded']);
      const started = await t.request({
        method: 'POST',
        url: `/api/v1/projects/${project.id}/start`,
        key: maintainerKey,
      });
      assert.equal(started.statusCode, 202, started.body);
      assert.equal(started.json<ProjectBody>().status, 'running');
      const again = await t.request({
        method: 'POST',
        url: `/api/v1/projects/${project.id}/start`,
        key: maintainerKey,
      });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json<{ code: string }>().code, 'project_state_conflict');

      // Every stage ran: the app was built, its own tests passed in the sandbox, and it answered when started.
      const event = await ended;
      assert.equal(event.type, 'project.succeeded');
      const stored = (
        await t.request({ method: 'GET', url: `/api/v1/projects/${project.id}`, key: viewerKey })
      ).json<ProjectBody>();
      assert.equal(stored.status, 'succeeded');
      assert.equal(stored.failure, null);

      const stages = (
        await t.request({ method: 'GET', url: `/api/v1/projects/${project.id}/stages`, key: viewerKey })
      ).json<StageBody[]>();
      assert.equal(stages.length, 11);
      assert.deepEqual(
        stages.map((stage) => [stage.stage, stage.status]),
        [
          ['requirements', 'succeeded'],
          ['architecture', 'succeeded'],
          ['api_design', 'succeeded'],
          ['database_design', 'succeeded'],
          ['backend', 'succeeded'],
          ['frontend', 'succeeded'],
          ['infrastructure', 'succeeded'],
          ['build', 'succeeded'],
          ['qa', 'succeeded'],
          ['deploy', 'succeeded'],
          ['recovery', 'skipped'],
        ],
      );
      assert.equal(stages[10]!.reason, 'no stage failed');
      // No Flutter toolchain here: the client was written, its build step says it was skipped and why.
      assert.match(stages[7]!.reason ?? '', /^flutter build skipped: FLUTTER_PATH is not set/);
      assert.equal(stages[8]!.reason, null, 'the browser smoke test ran: nothing of QA was skipped');

      // The app is a repository lvlup manages: one commit per stage, trailers naming stage and task.
      const repository = await t.request({
        method: 'GET',
        url: `/api/v1/repositories/${stored.repository_id}`,
        key: t.adminKey,
      });
      assert.equal(repository.json<{ source: string }>().source, 'project');
      const folder = path.join(workspace, 'data', 'projects', project.id);
      const log = execFileSync(
        'git',
        [
          'log',
          '--format=%H %(trailers:key=Lvlup-Stage,valueonly,separator=)|%(trailers:key=Lvlup-Task,valueonly,separator=)',
        ],
        {
          cwd: folder,
          encoding: 'utf8',
        },
      )
        .trim()
        .split('\n');
      const byStage = new Map(
        log.map((line) => {
          const [sha, rest] = line.split(' ');
          const [stage, task] = (rest ?? '').split('|');
          return [stage, { sha, task }];
        }),
      );
      for (const stage of stages.filter((candidate) => candidate.status === 'succeeded')) {
        assert.equal(byStage.get(stage.stage)?.sha, stage.commit, `${stage.stage} has its commit`);
        assert.equal(byStage.get(stage.stage)?.task, stage.task_id);
      }
      assert.ok(existsSync(path.join(folder, 'db/migrations/0001_init.sql')));

      const artifacts = (
        await t.request({ method: 'GET', url: `/api/v1/projects/${project.id}/artifacts`, key: viewerKey })
      ).json<{ id: string; kind: string; name: string; sha256: string; task_id: string }[]>();
      assert.deepEqual([...new Set(artifacts.map((artifact) => artifact.kind))].sort(), [
        'architecture',
        'build_log',
        'contract_tests',
        'deploy_report',
        'diagram',
        'infra',
        'openapi',
        'requirements',
        'screenshot',
        'source_tree',
        'sql',
        'test_report',
      ]);
      const reportOf = async <T>(name: string) => {
        const artifact = artifacts.find((candidate) => candidate.name === name)!;
        const answer = await t.request({
          method: 'GET',
          url: `/api/v1/projects/${project.id}/artifacts/${artifact.id}`,
          key: viewerKey,
        });
        return answer.json<T>();
      };
      const testReport = await reportOf<{ unit_tests: { tests: number; passed: number; failed: number } }>(
        'test-report.json',
      );
      assert.ok(testReport.unit_tests.tests > 10, `the app's own tests ran: ${JSON.stringify(testReport)}`);
      assert.equal(testReport.unit_tests.failed, 0);
      assert.equal(testReport.unit_tests.passed, testReport.unit_tests.tests);
      // Contract tests generated from the document exercised every operation against the running app.
      const contract = artifacts.find((artifact) => artifact.name === 'contract-report.json')!;
      const contractReport = (
        await t.request({
          method: 'GET',
          url: `/api/v1/projects/${project.id}/artifacts/${contract.id}`,
          key: viewerKey,
        })
      ).json<{ operations: { result: string }[]; failed: number }>();
      assert.equal(contractReport.failed, 0);
      assert.ok(contractReport.operations.length >= 15, `${contractReport.operations.length} operations`);
      assert.ok(contractReport.operations.every((operation) => operation.result === 'passed'));
      // The built web app, served by the app in the sandbox, passed its smoke test in real Chromium.
      const smoke = await reportOf<{
        status: string;
        steps: { resource: string | null; action: string; status: string }[];
        page_errors: string[];
        console_errors: string[];
        chromium: { version: string };
      }>('smoke-report.json');
      assert.equal(smoke.status, 'passed', JSON.stringify(smoke));
      assert.deepEqual(smoke.page_errors, []);
      assert.deepEqual(smoke.console_errors, []);
      assert.match(smoke.chromium.version, /^\d+\./);
      const passed = (action: string) =>
        smoke.steps.filter((step) => step.action === action && step.status === 'passed').map((step) => step.resource);
      assert.deepEqual(passed('sign_in'), [null]);
      for (const action of ['list', 'create', 'find_created'])
        assert.deepEqual(passed(action).sort(), ['Author', 'Comment', 'Post', 'Tag'], action);
      const screenshot = artifacts.find((artifact) => artifact.name === 'smoke.png')!;
      const png = await t.request({
        method: 'GET',
        url: `/api/v1/projects/${project.id}/artifacts/${screenshot.id}`,
        key: viewerKey,
      });
      assert.equal(png.headers['content-type'], 'image/png');
      assert.deepEqual([...png.rawPayload.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const deployReport = await reportOf<{ checks: { status: number }[]; stopped: boolean }>('deploy.json');
      assert.deepEqual(
        deployReport.checks.map((check) => check.status),
        [200],
      );
      assert.ok(artifacts.some((artifact) => artifact.kind === 'infra' && artifact.name === 'Dockerfile'));
      assert.ok(existsSync(path.join(folder, 'src/server.ts')), 'the backend is in the work tree');
      assert.ok(existsSync(path.join(folder, 'web/src/api.ts')), 'the web app is in the work tree');
      assert.ok(existsSync(path.join(folder, 'flutter/lib/api.dart')), 'the Flutter client is in the work tree');
      const openapi = artifacts.find((artifact) => artifact.kind === 'openapi')!;
      const downloaded = await t.request({
        method: 'GET',
        url: `/api/v1/projects/${project.id}/artifacts/${openapi.id}`,
        key: viewerKey,
      });
      assert.equal(downloaded.statusCode, 200);
      assert.match(String(downloaded.headers['content-type']), /application\/json/);
      assert.equal(downloaded.headers.etag, `"${openapi.sha256}"`);
      assert.equal(downloaded.json<{ openapi: string }>().openapi, '3.1.0');
      assert.equal(openapi.task_id, stages[2]!.task_id);
      const ofTask = await t.request({
        method: 'GET',
        url: `/api/v1/tasks/${openapi.task_id}/artifacts`,
        key: viewerKey,
      });
      assert.equal(ofTask.statusCode, 200, ofTask.body);
      assert.deepEqual(
        ofTask.json<{ id: string }[]>().map((artifact) => artifact.id),
        [openapi.id],
      );

      const archive = await t.request({
        method: 'GET',
        url: `/api/v1/projects/${project.id}/download`,
        key: viewerKey,
      });
      assert.equal(archive.statusCode, 200);
      const tarball = path.join(workspace, 'app.tar.gz');
      writeFileSync(tarball, archive.rawPayload);
      const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
      assert.match(listing, /blog\/openapi\.json/);
      assert.match(listing, /blog\/requirements\.json/);

      // A retry from a named stage keeps the stages before it and their commits.
      const retried = nextProjectEvent(t, project.id, ['project.failed', 'project.succeeded']);
      const retry = await t.request({
        method: 'POST',
        url: `/api/v1/projects/${project.id}/retry`,
        key: maintainerKey,
        payload: { from_stage: 'deploy' },
      });
      assert.equal(retry.statusCode, 202, retry.body);
      assert.equal(retry.json<ProjectBody>().run, 2);
      await retried;
      const after = (
        await t.request({ method: 'GET', url: `/api/v1/projects/${project.id}/stages`, key: viewerKey })
      ).json<StageBody[]>();
      assert.deepEqual(
        after.slice(0, 9).map((stage) => stage.commit),
        stages.slice(0, 9).map((stage) => stage.commit),
        'the stages before deploy kept their commits',
      );
      assert.equal(after[9]!.status, 'succeeded');
      assert.notEqual(after[9]!.task_id, stages[9]!.task_id, 'deploy ran again, as a task of run 2');
    });

    it('stops a description without a spec at the requirements stage, saying what to supply', async () => {
      const project = (await create({ name: 'words only', description: 'An app for my bakery' })).json<ProjectBody>();
      const ended = nextProjectEvent(t, project.id, ['project.failed', 'project.succeeded']);
      await t.request({ method: 'POST', url: `/api/v1/projects/${project.id}/start`, key: maintainerKey });
      const event = await ended;
      assert.equal(event.type, 'project.failed');
      const stored = (
        await t.request({ method: 'GET', url: `/api/v1/projects/${project.id}`, key: viewerKey })
      ).json<ProjectBody>();
      assert.equal(stored.failure?.code, 'spec_required');
      assert.match(stored.failure?.message ?? '', /structured `spec`/);
      assert.equal(stored.failure?.stage, 'requirements');
    });

    it('lets only the owner change a draft or delete a project, and deleting removes its repository and files', async () => {
      const project = (await create({ name: 'todo app', template: 'todo' })).json<ProjectBody>();
      const other = await t.request({
        method: 'PATCH',
        url: `/api/v1/projects/${project.id}`,
        key: otherMaintainerKey,
        payload: { name: 'mine' },
      });
      assert.equal(other.statusCode, 403);
      const renamed = await t.request({
        method: 'PATCH',
        url: `/api/v1/projects/${project.id}`,
        key: maintainerKey,
        payload: { name: 'todo list' },
      });
      assert.equal(renamed.statusCode, 200, renamed.body);
      const badChange = await t.request({
        method: 'PATCH',
        url: `/api/v1/projects/${project.id}`,
        key: maintainerKey,
        payload: { template: 'none' },
      });
      assert.equal(badChange.statusCode, 422);

      const othersStart = await t.request({
        method: 'POST',
        url: `/api/v1/projects/${project.id}/start`,
        key: otherMaintainerKey,
      });
      assert.equal(othersStart.statusCode, 403, 'only the owner (or an admin) runs a project');
      const started = await t.request({
        method: 'POST',
        url: `/api/v1/projects/${project.id}/start`,
        key: maintainerKey,
      });
      assert.equal(started.statusCode, 202);
      const cancelled = await t.request({
        method: 'POST',
        url: `/api/v1/projects/${project.id}/cancel`,
        key: maintainerKey,
      });
      assert.equal(cancelled.statusCode, 200, cancelled.body);
      assert.equal(cancelled.json<ProjectBody>().status, 'cancelled');
      const firstStage = (
        await t.request({ method: 'GET', url: `/api/v1/projects/${project.id}/stages`, key: viewerKey })
      ).json<StageBody[]>()[0]!;
      assert.equal(firstStage.status, 'cancelled');
      await taskSettled(t, firstStage.task_id!);
      const cancelAgain = await t.request({
        method: 'POST',
        url: `/api/v1/projects/${project.id}/cancel`,
        key: maintainerKey,
      });
      assert.equal(cancelAgain.statusCode, 409);
      const late = await t.request({
        method: 'PATCH',
        url: `/api/v1/projects/${project.id}`,
        key: maintainerKey,
        payload: { name: 'x' },
      });
      assert.equal(late.statusCode, 409);

      const stored = (
        await t.request({ method: 'GET', url: `/api/v1/projects/${project.id}`, key: viewerKey })
      ).json<ProjectBody>();
      const folder = path.join(workspace, 'data', 'projects', project.id);
      assert.ok(existsSync(folder));
      assert.equal(
        (await t.request({ method: 'DELETE', url: `/api/v1/projects/${project.id}`, key: otherMaintainerKey }))
          .statusCode,
        403,
      );
      const deleted = await t.request({ method: 'DELETE', url: `/api/v1/projects/${project.id}`, key: maintainerKey });
      assert.equal(deleted.statusCode, 204, deleted.body);
      assert.equal(
        (await t.request({ method: 'GET', url: `/api/v1/projects/${project.id}`, key: viewerKey })).statusCode,
        404,
      );
      assert.equal(
        (await t.request({ method: 'GET', url: `/api/v1/repositories/${stored.repository_id}`, key: t.adminKey }))
          .statusCode,
        404,
      );
      assert.equal(existsSync(folder), false);
    });
  });
}
