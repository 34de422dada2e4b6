import assert from 'node:assert/strict';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { proposals } from '../src/db/schema.js';
import { createTestApp, eventually, type TestApp, registerRepository } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { commitFiles, createRepository } from './support/repository-fixtures.js';

interface Change {
  rule_id: string;
  line: number;
  explanation: string;
  expected_impact: string;
  confidence: number;
  source: string;
}
interface Optimized {
  file_path: string;
  language: string;
  optimized_code: string;
  diff: string;
  changes: Change[];
  suggestions: Change[];
  parse_errors: boolean;
  rules_run: number;
}

const APP_JS =
  "import { join, resolve } from 'node:path';\n" +
  'export function run(items) {\n' +
  '  const unused = 1;\n' +
  '  return resolve(items[0]);\n' +
  "  console.log('never');\n" +
  '}\n';
const TOOLS_PY = 'import os\nimport json\n\n\ndef dump(value):\n    return json.dumps(value)\n';
const CLEAN_TS = 'export const add = (a: number, b: number): number => a + b;\n';

for (const target of databaseTargets()) {
  describe(`POST /imperium/optimize on ${target}`, () => {
    let t: TestApp;
    let runner: string;
    let reader: string;

    before(async () => {
      t = await createTestApp(target);
      runner = await t.createKey(['agents:run']);
      reader = await t.createKey(['agents:read']);
    });
    after(() => t.close());

    const optimize = (payload: Record<string, unknown>, key = runner) =>
      t.request({ method: 'POST', url: '/imperium/optimize', key, payload });

    it('answers the optimised code, its diff and the applied changes with their lines', async () => {
      const response = await optimize({ code: APP_JS, file_path: 'src/app.js' });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json<Optimized>();
      assert.equal(body.language, 'javascript');
      assert.equal(
        body.optimized_code,
        "import { resolve } from 'node:path';\nexport function run(items) {\n  return resolve(items[0]);\n}\n",
      );
      assert.deepEqual(
        body.changes.map((change) => [change.rule_id, change.line, change.expected_impact, change.source]),
        [
          ['js.unused-import', 1, 'maintainability', 'engine'],
          ['js.unused-variable', 3, 'maintainability', 'engine'],
          ['js.unreachable-code', 5, 'maintainability', 'engine'],
        ],
      );
      assert.ok(body.diff.startsWith('--- a/src/app.js\n+++ b/src/app.js\n@@ '), body.diff);
      assert.ok(body.diff.includes("-  console.log('never');\n"));
      assert.equal(body.parse_errors, false);
      assert.ok(body.rules_run >= 9);
    });

    it('answers no change and an empty diff for clean code, and filters by goals', async () => {
      const clean = await optimize({ code: CLEAN_TS, file_path: 'src/add.ts' });
      assert.equal(clean.statusCode, 200, clean.body);
      assert.deepEqual([clean.json<Optimized>().optimized_code, clean.json<Optimized>().diff], [CLEAN_TS, '']);
      const performance = await optimize({ code: APP_JS, file_path: 'src/app.js', goals: ['performance'] });
      assert.equal(performance.statusCode, 200, performance.body);
      assert.equal(performance.json<Optimized>().optimized_code, APP_JS);
    });

    it('takes the language from the body over the extension, and reports suggestions', async () => {
      const code = 'def f(x):\n    return x in ["a", "b"]\n';
      const response = await optimize({ code, file_path: 'script', language: 'python' });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json<Optimized>();
      assert.equal(body.language, 'python');
      assert.equal(body.optimized_code, code);
      assert.deepEqual(
        body.suggestions.map((change) => [change.rule_id, change.line]),
        [['py.set-membership', 2]],
      );
    });

    it('answers 400 unsupported_language naming file_path, and 400 for bad fields', async () => {
      const unsupported = await optimize({ code: 'x', file_path: 'README.md' });
      assert.equal(unsupported.statusCode, 400);
      assert.equal(unsupported.json().code, 'unsupported_language');
      assert.deepEqual(
        unsupported.json().errors.map((error: { field: string }) => error.field),
        ['body.file_path'],
      );
      const badGoal = await optimize({ code: 'x', file_path: 'a.js', goals: ['speed'] });
      assert.equal(badGoal.statusCode, 400, badGoal.body);
      assert.ok(
        badGoal.json().errors.some((error: { field: string }) => error.field.startsWith('body.goals')),
        badGoal.body,
      );
      const missing = await optimize({ file_path: 'a.js' });
      assert.equal(missing.statusCode, 400);
      assert.ok(
        missing.json().errors.some((error: { field: string }) => error.field === 'body.code'),
        missing.body,
      );
      const extra = await optimize({ code: 'x', file_path: 'a.js', surprise: 1 });
      assert.equal(extra.statusCode, 400);
    });

    it('answers 503 llm_not_configured for use_llm without a provider, and never pretends', async () => {
      const response = await optimize({ code: APP_JS, file_path: 'src/app.js', use_llm: true });
      assert.equal(response.statusCode, 503, response.body);
      assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(response.json().code, 'llm_not_configured');
    });

    it('needs the agents:run scope', async () => {
      assert.equal((await optimize({ code: 'x', file_path: 'a.js' }, '')).statusCode, 401);
      assert.equal((await optimize({ code: 'x', file_path: 'a.js' }, reader)).statusCode, 403);
    });
  });

  describe(`Imperium repository runs on ${target}`, () => {
    let t: TestApp;
    let workspace: string;
    let folder: string;
    let repositoryId: string;
    let runner: string;
    let reviewer: string;

    before(async () => {
      workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-imperium-run-')));
      t = await createTestApp(target, {
        environment: { LVLUP_REPO_ROOTS: workspace, LVLUP_DATA_DIR: path.join(workspace, 'data') },
        worker: { pollIntervalMs: 100 },
      });
      runner = await t.createKey(['agents:read', 'agents:run']);
      reviewer = await t.createKey(['agents:read', 'proposals:read', 'proposals:write']);
      folder = path.join(workspace, 'shop');
      await createRepository(folder, {
        'src/app.js': APP_JS,
        'tools/dump.py': TOOLS_PY,
        'src/add.ts': CLEAN_TS,
        'README.md': '# shop\n',
        'node_modules/left-pad/index.js': "import { x } from 'node:path';\n",
      });
      repositoryId = await registerRepository(t, folder);
    });
    after(async () => {
      await t.close();
      await rm(workspace, { recursive: true, force: true });
    });

    const runImperium = async (): Promise<Record<string, unknown>> => {
      const started = await t.request({
        method: 'POST',
        url: '/agents/imperium/run',
        key: runner,
        payload: { repository_id: repositoryId },
      });
      assert.equal(started.statusCode, 202, started.body);
      const id = started.json().id as string;
      const task = await eventually(
        t,
        async () => {
          const body = (await t.request({ method: 'GET', url: `/api/v1/tasks/${id}`, key: runner })).json();
          return ['succeeded', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
        },
        30_000,
      );
      assert.equal(task.status, 'succeeded', JSON.stringify(task.error));
      assert.equal(task.progress, 100);
      return task.result as Record<string, unknown>;
    };
    const imperiumProposals = () =>
      t.database.orm
        .select()
        .from(proposals)
        .where(and(eq(proposals.repositoryId, repositoryId), eq(proposals.aiType, 'imperium')));

    it('creates one proposal per rule per file, with rule, category, rationale and confidence', async () => {
      const result = await runImperium();
      assert.equal(result.kind, 'imperium_run');
      assert.equal(result.files_analysed, 3, 'README and node_modules are out of scope');
      assert.equal(result.proposals_created, 4);
      const byRule = result.by_rule as Record<string, { applied: number; proposals_created: number }>;
      assert.deepEqual(Object.keys(byRule).sort(), [
        'js.unreachable-code',
        'js.unused-import',
        'js.unused-variable',
        'py.unused-import',
      ]);
      const rows = await imperiumProposals();
      assert.deepEqual(rows.map((row) => [row.filePath, row.ruleId, row.category, row.status]).sort(), [
        ['src/app.js', 'js.unreachable-code', 'maintainability', 'pending'],
        ['src/app.js', 'js.unused-import', 'maintainability', 'pending'],
        ['src/app.js', 'js.unused-variable', 'maintainability', 'pending'],
        ['tools/dump.py', 'py.unused-import', 'maintainability', 'pending'],
      ]);
      const unreachable = rows.find((row) => row.ruleId === 'js.unreachable-code')!;
      assert.equal(unreachable.createdBy, 'agent:imperium');
      assert.ok(unreachable.rationale!.includes('Precondition checked'), unreachable.rationale!);
      assert.ok(unreachable.confidence! > 0 && unreachable.confidence! <= 1);
      // Minimal: the proposal holds only its own rule's edit.
      assert.equal(unreachable.additions, 0);
      assert.equal(unreachable.deletions, 1);
      assert.ok(unreachable.diff.includes("-  console.log('never');"), unreachable.diff);
      assert.ok(!unreachable.diff.includes('-  const unused = 1;'), unreachable.diff);
    });

    it('does not propose again what is open or was rejected', async () => {
      const [python] = (await imperiumProposals()).filter((row) => row.ruleId === 'py.unused-import');
      const rejected = await t.request({
        method: 'POST',
        url: `/proposals/${python!.id}/reject`,
        key: reviewer,
        payload: { reason: 'incorrect' },
      });
      assert.equal(rejected.statusCode, 200, rejected.body);
      const result = await runImperium();
      assert.equal(result.proposals_created, 0);
      assert.equal(result.proposals_already_open, 3);
      assert.equal(result.proposals_previously_rejected, 1);
      assert.equal((await imperiumProposals()).length, 4);
    });

    it('proposes against the new tip when the branch moves on', async () => {
      await commitFiles(folder, { 'src/more.py': 'def f(x):\n    return str(x) in ["a", "b"]\n' });
      const result = await runImperium();
      assert.equal(result.proposals_created, 1);
      const rows = (await imperiumProposals()).filter((row) => row.filePath === 'src/more.py');
      assert.deepEqual(
        rows.map((row) => row.ruleId),
        ['py.set-membership'],
      );
      const membership = rows[0]!;
      assert.equal(membership.category, 'performance');
      assert.ok(membership.diff.includes('+    return str(x) in {"a", "b"}'), membership.diff);
    });
  });
}
