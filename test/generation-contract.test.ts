import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appFilesOf } from '../src/generation/app-files.js';
import { modelFromSpec } from '../src/generation/app-model.js';
import { appSpecSchema } from '../src/generation/app-spec.js';
import { backendOf } from '../src/generation/backend/backend.js';
import {
  CONTRACT_TESTS_FILE,
  contractTestsOf,
  type ContractReport,
} from '../src/generation/contract/contract-tests.js';
import { openApiDocumentOf } from '../src/generation/openapi-document.js';
import { sqlSchemaOf } from '../src/generation/sql-schema.js';
import { createPostgresDatabase, databaseTargets, dropPostgresDatabase } from './support/database.js';

// The QA stage's contract tests: a script written from the OpenAPI document alone that starts the built
// app, exercises every operation and checks every answer against the document. Proven on the two fixture
// apps as generated (everything passes) and on one broken after its build (the broken operations fail).

type Document = Record<string, unknown>;

function stagesOf(fixture: string) {
  const input = JSON.parse(readFileSync(new URL(`./fixtures/app-specs/${fixture}.json`, import.meta.url), 'utf8')) as {
    name: string;
    description: string;
    spec: unknown;
  };
  const model = modelFromSpec(input, appSpecSchema.parse(input.spec));
  const document = openApiDocumentOf(model);
  const sql = sqlSchemaOf(model);
  return { document, files: appFilesOf({ model, document, sql, parts: [backendOf(model, document, sql)] }) };
}

/** Every operation of the document as `METHOD path`, in the document's order. */
function operationsOf(document: Document): string[] {
  const paths = document.paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths).flatMap(([route, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${route}`),
  );
}

describe('contract tests: the script', () => {
  it('is the same, byte for byte, from the same document, and imports only node:, ajv and ajv-formats', () => {
    for (const fixture of ['blog', 'inventory']) {
      const { document } = stagesOf(fixture);
      assert.equal(contractTestsOf(document), contractTestsOf(structuredClone(document)));
    }
    const blog = contractTestsOf(stagesOf('blog').document);
    assert.notEqual(blog, contractTestsOf(stagesOf('inventory').document));
    const imported = [...blog.matchAll(/^import .* from '([^']+)';$/gm)].map((match) => match[1]);
    assert.ok(imported.length > 0);
    for (const module of imported) assert.match(module!, /^(node:|ajv\/dist\/2020\.js$|ajv-formats$)/);
  });
});

// ---- run against the generated apps, built --------------------------------------------------------------

/** Shared by every run (as in the backend's test), so installs after the first take packages from it. */
const NPM_CACHE = path.join(os.tmpdir(), 'lvlup-npm-cache');

function childEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('npm_') || name === 'NODE_TEST_CONTEXT' || name === 'NODE_OPTIONS') continue;
    if (name === 'DATABASE_URL' || name === 'DATA_DIR') continue;
    environment[name] = value;
  }
  return { ...environment, npm_config_cache: NPM_CACHE, npm_config_update_notifier: 'false', ...extra };
}

/** Runs a command to its end: its exit code and output. */
async function run(
  command: string,
  args: string[],
  cwd: string,
  extra: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; output: string }> {
  const child = spawn(command, args, { cwd, env: childEnvironment(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  return { code, stdout, output };
}

async function succeed(command: string, args: string[], cwd: string): Promise<void> {
  const { code, output } = await run(command, args, cwd);
  assert.equal(code, 0, `${command} ${args.join(' ')} exited ${code}:\n${output.slice(-20_000)}`);
}

/** Writes the app with its contract tests script, installs and builds it. */
async function builtApp(fixture: string): Promise<{ root: string; document: Document }> {
  const { document, files } = stagesOf(fixture);
  const root = mkdtempSync(path.join(os.tmpdir(), 'lvlup-contract-'));
  for (const [file, text] of Object.entries({ ...files, [CONTRACT_TESTS_FILE]: contractTestsOf(document) })) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  await succeed('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], root);
  await succeed('npm', ['run', 'build'], root);
  return { root, document };
}

/** Runs the script on a fresh database: its exit code, and its report from stdout's last line and from the file. */
async function contractRun(root: string, target: string): Promise<{ code: number | null; report: ContractReport }> {
  const url = target === 'postgres' ? await createPostgresDatabase() : undefined;
  try {
    const reportFile = path.join(root, `report-${target}.json`);
    const { code, stdout, output } = await run(
      process.execPath,
      [CONTRACT_TESTS_FILE, reportFile],
      root,
      url ? { DATABASE_URL: url } : {},
    );
    const lines = stdout.trim().split('\n');
    const report = JSON.parse(lines[lines.length - 1]!) as ContractReport;
    assert.deepEqual(JSON.parse(readFileSync(reportFile, 'utf8')), report, output);
    return { code, report };
  } finally {
    if (url) await dropPostgresDatabase(url);
  }
}

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function failures(report: ContractReport): string {
  return JSON.stringify(
    report.operations.flatMap((operation) =>
      operation.checks.filter((check) => !check.passed).map((check) => ({ ...check, path: operation.path })),
    ),
    null,
    2,
  );
}

for (const fixture of ['blog', 'inventory']) {
  describe(`contract tests: the generated ${fixture} app`, () => {
    let app: { root: string; document: Document } | undefined;
    // Limits only against a hung child: a normal run takes a fraction of them.
    before(
      async () => {
        app = await builtApp(fixture);
        roots.push(app.root);
      },
      { timeout: 900_000 },
    );

    for (const target of databaseTargets()) {
      it(`passes every check of every operation of the document on ${target}`, { timeout: 300_000 }, async () => {
        assert.ok(app);
        const { code, report } = await contractRun(app.root, target);
        assert.equal(code, 0, failures(report));
        const reported = report.operations.map((operation) => `${operation.method} ${operation.path}`);
        assert.deepEqual(reported, operationsOf(app.document));
        for (const operation of report.operations) {
          assert.equal(operation.result, 'passed', `${operation.method} ${operation.path}`);
          assert.ok(operation.checks.length > 0);
          assert.ok(operation.checks.every((check) => check.passed));
        }
        assert.deepEqual([report.passed, report.failed, report.not_implemented], [reported.length, 0, 0]);
        const names = report.operations.flatMap((operation) => operation.checks.map((check) => check.name));
        for (const expected of ['404 for an unknown id', '400 for a malformed id', '404 when read after the delete']) {
          assert.ok(names.includes(expected), expected);
        }
        if (fixture === 'blog') assert.ok(names.includes('401 without a token'));
      });
    }

    if (fixture === 'blog') {
      it('reports the operations of a broken build failed, and one answering 501 not implemented', async () => {
        assert.ok(app);
        const routes = path.join(app.root, 'dist', 'routes');
        const edit = (file: string, from: string, to: string) => {
          const text = readFileSync(path.join(routes, file), 'utf8');
          assert.ok(text.includes(from), `${file} holds ${from}`);
          writeFileSync(path.join(routes, file), text.replace(from, to));
        };
        // the first `reply.send(tag)` is GET /tags/{id}'s, the next PATCH /tags/{id}'s
        edit('tags.js', 'return reply.send(tag);', 'return reply.send({ ...tag, label: 42 });');
        edit(
          'tags.js',
          'return reply.send(tag);',
          "return reply.status(501).type('application/problem+json').send({ title: 'Not Implemented', status: 501 });",
        );
        edit('authors.js', 'reply.status(201)', 'reply.status(200)');
        const { code, report } = await contractRun(app.root, 'pglite');
        assert.equal(code, 1);
        const result = (method: string, route: string) =>
          report.operations.find((operation) => operation.method === method && operation.path === route);
        const read = result('GET', '/tags/{id}')!;
        assert.equal(read.result, 'failed');
        assert.match(read.checks.find((check) => check.name === 'reads one')!.detail, /\/label must be string/);
        const create = result('POST', '/authors')!;
        assert.equal(create.result, 'failed');
        assert.match(create.checks.find((check) => check.name === 'creates one')!.detail, /answered 200, not 201/);
        assert.equal(result('PATCH', '/tags/{id}')!.result, 'not_implemented');
        assert.equal(result('GET', '/authors')!.result, 'passed');
        assert.equal(result('DELETE', '/tags/{id}')!.result, 'passed');
        assert.equal(report.not_implemented, 1);
        assert.equal(report.failed, 2);
      });
    }
  });
}
