import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

interface CreatedApp {
  project: {
    id: string;
    name: string;
    description: string;
    template: string | null;
    targets: string[];
    status: string;
    current_stage: string | null;
  };
  task: { id: string; agent_type: string; status: string; input: Record<string, unknown> };
  deployment: { deployment_id: string | null; status: string; slug: string; proxy_path: string; stage: string };
}

// The workers do not run here: the pipeline's first task stays queued, which is what create-app promises.
for (const target of databaseTargets()) {
  describe(`Conquest create-app (${target})`, () => {
    let t: TestApp;
    let workspace: string;
    let writer: string;

    before(async () => {
      workspace = mkdtempSync(path.join(tmpdir(), 'lvlup-conquest-'));
      t = await createTestApp(target, { environment: { LVLUP_DATA_DIR: path.join(workspace, 'data') } });
      writer = await t.createKey(['projects:read', 'projects:write']);
    });
    after(async () => {
      await t.close();
      rmSync(workspace, { recursive: true, force: true });
    });

    const createApp = (payload: Record<string, unknown>, key = writer) =>
      t.request({ method: 'POST', url: '/conquest/create-app', key, payload });

    it('creates the project, starts its pipeline and names the deployment it will produce', async () => {
      const response = await createApp({
        name: 'Field Notes',
        description: 'Notes taken in the field.',
        type: 'api',
        features: ['lists of notes', 'due dates'],
        template: 'todo',
      });
      assert.equal(response.statusCode, 202, response.body);
      const body = response.json<CreatedApp>();
      assert.equal(response.headers.location, `/api/v1/projects/${body.project.id}`);
      assert.equal(response.headers['x-task-location'], `/api/v1/tasks/${body.task.id}`);
      assert.equal(body.project.name, 'Field Notes');
      assert.equal(body.project.description, 'Notes taken in the field.\n\nFeatures:\n- lists of notes\n- due dates');
      assert.deepEqual(body.project.targets, ['api']);
      assert.equal(body.project.template, 'todo');
      assert.deepEqual([body.project.status, body.project.current_stage], ['running', 'requirements']);
      assert.equal(body.task.agent_type, 'pipeline-requirements');
      assert.equal(body.task.status, 'queued');
      assert.deepEqual(body.task.input, { project_id: body.project.id, run: 1, stage: 'requirements' });
      assert.deepEqual(body.deployment, {
        deployment_id: null,
        status: 'not_deployed',
        slug: `field-notes-${body.project.id.slice(0, 8)}`,
        proxy_path: `/apps/field-notes-${body.project.id.slice(0, 8)}/`,
        stage: 'deploy',
      });

      // What was stored is what the projects API and the task API show.
      const project = await t.request({ method: 'GET', url: `/api/v1/projects/${body.project.id}`, key: writer });
      assert.equal(project.json<{ status: string }>().status, 'running');
      const stages = await t.request({ method: 'GET', url: `/api/v1/projects/${body.project.id}/stages`, key: writer });
      const first = stages.json<{ stage: string; status: string; task_id: string }[]>()[0]!;
      assert.deepEqual([first.stage, first.status, first.task_id], ['requirements', 'queued', body.task.id]);
      const task = await t.request({ method: 'GET', url: `/api/v1/tasks/${body.task.id}`, key: t.adminKey });
      assert.equal(task.json<{ status: string }>().status, 'queued');
    });

    it('gives a Flutter app the API it talks to, and defaults to a web app', async () => {
      const flutter = await createApp({ name: 'Pocket', type: 'flutter', template: 'todo' });
      assert.equal(flutter.statusCode, 202, flutter.body);
      assert.deepEqual(flutter.json<CreatedApp>().project.targets, ['api', 'flutter']);
      const web = await createApp({ name: 'Desk', template: 'crm' });
      assert.equal(web.statusCode, 202, web.body);
      assert.deepEqual(web.json<CreatedApp>().project.targets, ['web']);
    });

    it('refuses what cannot be generated before storing anything', async () => {
      const before = (await t.request({ method: 'GET', url: '/api/v1/projects', key: writer })).headers[
        'x-total-count'
      ];
      // No language model here: a description alone cannot become an app.
      const wordsOnly = await createApp({ name: 'Vague', description: 'something nice', features: ['fast'] });
      assert.equal(wordsOnly.statusCode, 422, wordsOnly.body);
      const problem = wordsOnly.json<{ code: string; errors: { field: string }[] }>();
      assert.equal(problem.code, 'invalid_project');
      assert.equal(problem.errors[0]?.field, 'body.template');
      const modelEngine = await createApp({ name: 'Vague', engine: 'model' });
      assert.equal(modelEngine.statusCode, 422, modelEngine.body);
      assert.equal(modelEngine.json<{ errors: { field: string }[] }>().errors[0]?.field, 'body.engine');

      const unknownTemplate = await createApp({ name: 'X', template: 'spaceship' });
      assert.equal(unknownTemplate.statusCode, 422, unknownTemplate.body);
      assert.equal(unknownTemplate.json<{ errors: { field: string }[] }>().errors[0]?.field, 'body.template');
      const mismatch = await createApp({ name: 'X', type: 'flutter', targets: ['web'], template: 'todo' });
      assert.equal(mismatch.statusCode, 422, mismatch.body);
      assert.equal(mismatch.json<{ errors: { field: string }[] }>().errors[0]?.field, 'body.targets');
      const badType = await createApp({ name: 'X', type: 'desktop', template: 'todo' });
      assert.equal(badType.statusCode, 400, badType.body);
      assert.equal(badType.json<{ errors: { field: string }[] }>().errors[0]?.field, 'body.type');
      const badFeatures = await createApp({ name: 'X', features: 'all of them', template: 'todo' });
      assert.equal(badFeatures.statusCode, 400, badFeatures.body);
      assert.equal(badFeatures.json<{ errors: { field: string }[] }>().errors[0]?.field, 'body.features');

      const after = (await t.request({ method: 'GET', url: '/api/v1/projects', key: writer })).headers['x-total-count'];
      assert.equal(after, before);
    });

    it('needs projects:write to create and projects:read to read', async () => {
      const reader = await t.createKey(['projects:read']);
      const refused = await createApp({ name: 'Nope', template: 'todo' }, reader);
      assert.equal(refused.statusCode, 403);
      const list = await t.request({ method: 'GET', url: '/conquest/deployments', key: reader });
      assert.equal(list.statusCode, 200);
      assert.deepEqual(list.json(), []);
      assert.equal(list.headers['x-total-count'], '0');
      const unknown = await t.request({
        method: 'GET',
        url: '/conquest/deployments/00000000-0000-4000-8000-000000000000',
        key: reader,
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json<{ code: string }>().code, 'deployment_not_found');
      const malformed = await t.request({ method: 'GET', url: '/conquest/deployments/not-an-id', key: reader });
      assert.equal(malformed.statusCode, 400);
      assert.equal(malformed.json<{ errors: { field: string }[] }>().errors[0]?.field, 'params.deployment_id');
      const anonymous = await t.request({ method: 'GET', url: '/conquest/deployments' });
      assert.equal(anonymous.statusCode, 401);
    });
  });
}
