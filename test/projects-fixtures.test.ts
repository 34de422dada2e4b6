import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from './support/app.js';

// The fixture set, end to end: every app spec in test/fixtures/app-specs/ goes through all eleven stages as a
// user would run it (create, start, wait for the project's end) and must come out built, tested by its own
// tests, by contract tests of every operation and by a smoke test in Chromium, and answering when deployed. The fixtures differ in what
// matters to the generator: relations of both kinds, enums, auth on every operation or on writes only,
// pagination on and off, nesting two levels deep, partial operation sets and every field type.
//
// One lvlup on PGlite runs them all, two stages at a time: what is under test is the generated apps, which do
// not depend on lvlup's own database (the pipeline's bookkeeping is proven on both databases in
// projects.test.ts).

interface Fixture {
  file: string;
  name: string;
  description: string;
  spec: Record<string, unknown>;
}

const fixturesFolder = new URL('./fixtures/app-specs/', import.meta.url);
const fixtures: Fixture[] = readdirSync(fixturesFolder)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({
    file,
    ...(JSON.parse(readFileSync(new URL(file, fixturesFolder), 'utf8')) as Omit<Fixture, 'file'>),
  }));

interface ProjectBody {
  id: string;
  status: string;
  failure: { code: string; message: string; stage?: string } | null;
}
interface StageBody {
  stage: string;
  status: string;
  reason: string | null;
}
interface ArtifactBody {
  id: string;
  kind: string;
  name: string;
}

describe('projects: the fixture set, end to end', () => {
  let t: TestApp;
  let workspace: string;
  let key: string;
  const projectIds = new Map<string, string>();
  const endings = new Map<string, Promise<string>>();

  before(async () => {
    workspace = mkdtempSync(path.join(tmpdir(), 'lvlup-fixtures-'));
    t = await createTestApp('pglite', {
      environment: {
        LVLUP_DATA_DIR: path.join(workspace, 'data'),
        PROJECT_PACKAGE_CACHE: path.join(tmpdir(), 'lvlup-npm-cache'),
        WORKER_CONCURRENCY: '2',
      },
      worker: { pollIntervalMs: 50 },
    });
    key = await t.createKey(['projects:read', 'projects:write']);
    const ended = new Map<string, (type: string) => void>();
    t.app.services.events.subscribe((event) => {
      if (event.type !== 'project.succeeded' && event.type !== 'project.failed') return;
      ended.get(event.topic)?.(event.type);
    });
    for (const fixture of fixtures) {
      const created = await t.request({
        method: 'POST',
        url: '/api/v1/projects',
        key,
        payload: { name: fixture.name, description: fixture.description, spec: fixture.spec },
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json<ProjectBody>().id;
      projectIds.set(fixture.file, id);
      endings.set(fixture.file, new Promise((resolve) => ended.set(`projects/${id}`, resolve)));
      const started = await t.request({ method: 'POST', url: `/api/v1/projects/${id}/start`, key });
      assert.equal(started.statusCode, 202, started.body);
    }
  });
  after(async () => {
    await t.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  for (const fixture of fixtures) {
    it(
      `${fixture.file}: every stage succeeds, its tests and every operation's contract and the browser smoke test pass, it answers deployed`,
      {
        timeout: 1_800_000,
      },
      async () => {
        const id = projectIds.get(fixture.file)!;
        const ending = await endings.get(fixture.file)!;
        const project = (await t.request({ method: 'GET', url: `/api/v1/projects/${id}`, key })).json<ProjectBody>();
        assert.equal(ending, 'project.succeeded', JSON.stringify(project.failure));
        assert.equal(project.status, 'succeeded');

        const stages = (await t.request({ method: 'GET', url: `/api/v1/projects/${id}/stages`, key })).json<
          StageBody[]
        >();
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

        const artifacts = (await t.request({ method: 'GET', url: `/api/v1/projects/${id}/artifacts`, key })).json<
          ArtifactBody[]
        >();
        const read = async <T>(name: string): Promise<T> => {
          const artifact = artifacts.find((candidate) => candidate.name === name);
          assert.ok(artifact, `${name} is stored`);
          return (
            await t.request({ method: 'GET', url: `/api/v1/projects/${id}/artifacts/${artifact.id}`, key })
          ).json<T>();
        };
        const report = await read<{
          unit_tests: { tests: number; passed: number; failed: number };
          contract_tests: { passed: number; failed: number; not_implemented: number };
          browser_smoke_test: { status: string };
        }>('test-report.json');
        assert.ok(report.unit_tests.tests > 0);
        assert.equal(report.unit_tests.failed, 0);
        assert.equal(report.unit_tests.passed, report.unit_tests.tests);

        // Every operation of the app's own OpenAPI document was exercised and answered as documented.
        const document = await read<{ paths: Record<string, Record<string, unknown>> }>('openapi.json');
        const operations = Object.values(document.paths).reduce((sum, methods) => sum + Object.keys(methods).length, 0);
        const contract = await read<{ operations: { result: string }[]; failed: number }>('contract-report.json');
        assert.equal(contract.failed, 0);
        assert.equal(contract.operations.length, operations);
        assert.ok(contract.operations.every((operation) => operation.result === 'passed'));

        // The built frontend, opened in Chromium: every resource listed, one of each created through its form.
        assert.equal(report.browser_smoke_test.status, 'passed', JSON.stringify(report.browser_smoke_test));

        const deployed = await read<{ checks: { status: number }[] }>('deploy.json');
        assert.deepEqual(
          deployed.checks.map((check) => check.status),
          [200],
        );
      },
    );
  }
});
