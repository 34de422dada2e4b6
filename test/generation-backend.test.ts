import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { after, describe, it } from 'node:test';
import { appFilesOf } from '../src/generation/app-files.js';
import { modelFromSpec } from '../src/generation/app-model.js';
import { appSpecSchema } from '../src/generation/app-spec.js';
import { backendOf } from '../src/generation/backend/backend.js';
import type { GeneratedFiles } from '../src/generation/generated-files.js';
import { openApiDocumentOf } from '../src/generation/openapi-document.js';
import { packageManifestOf } from '../src/generation/package-manifest.js';
import { sqlSchemaOf } from '../src/generation/sql-schema.js';
import { createPostgresDatabase, databaseTargets, dropPostgresDatabase } from './support/database.js';

// Stage 5, the generated backend: generation is pure and deterministic, and what it writes installs,
// typechecks, lints, builds, passes its own tests and serves the API over HTTP, on PGlite and PostgreSQL.

function stagesOf(fixture: string) {
  const input = JSON.parse(readFileSync(new URL(`./fixtures/app-specs/${fixture}.json`, import.meta.url), 'utf8')) as {
    name: string;
    description: string;
    spec: unknown;
  };
  const model = modelFromSpec(input, appSpecSchema.parse(input.spec));
  return { model, document: openApiDocumentOf(model), sql: sqlSchemaOf(model) };
}

function generate(fixture: string): GeneratedFiles {
  const { model, document, sql } = stagesOf(fixture);
  return appFilesOf({ model, document, sql, parts: [backendOf(model, document, sql)] });
}

describe('stage 5: generating the backend', () => {
  it('writes the same files, byte for byte, from the same spec', () => {
    for (const fixture of ['blog', 'inventory']) assert.deepEqual(generate(fixture), generate(fixture));
    assert.notDeepEqual(generate('blog'), generate('inventory'));
  });

  it("writes a route at each of the document's paths, behind a token where the document asks", () => {
    const files = generate('blog');
    const comments = files['src/routes/comments.ts']!;
    assert.match(comments, /'\/posts\/:post_id\/comments\/:id',\n\s+\{ schema: routeSchema\('updateComment'\) \}/);
    const posts = files['src/routes/posts.ts']!;
    assert.match(posts, /'\/posts',\n\s+\{ schema: routeSchema\('listPosts'\) \}/);
    assert.match(posts, /'\/posts',\n\s+\{ schema: routeSchema\('createPost'\), onRequest: authenticate \}/);
    assert.equal(files['db/migrations/0001_init.sql'], stagesOf('blog').sql);
    assert.deepEqual(JSON.parse(files['openapi.json']!), stagesOf('blog').document);
    const inventory = generate('inventory');
    assert.equal(inventory['src/auth.ts'], undefined, 'no accounts when no operation needs them');
    assert.doesNotMatch(inventory['src/routes/warehouses.ts']!, /app\.patch/, 'warehouses offer no update');
  });

  it('composes package.json: pinned versions, sorted keys, scripts of the same name chained', () => {
    const manifest = JSON.parse(generate('blog')['package.json']!) as Record<string, Record<string, string>>;
    for (const version of Object.values({ ...manifest.dependencies, ...manifest.devDependencies })) {
      assert.match(version, /^\d+\.\d+\.\d+$/);
    }
    assert.deepEqual(Object.keys(manifest.scripts!), ['build', 'lint', 'start', 'test', 'typecheck']);
    const composed = JSON.parse(
      packageManifestOf({ name: 'x', description: '' }, [
        { dependencies: { b: '1.0.0' }, devDependencies: { a: '2.0.0' }, scripts: { build: 'tsc' } },
        { dependencies: { a: '2.0.0' }, devDependencies: {}, scripts: { build: 'vite build', dev: 'vite' } },
      ]),
    ) as Record<string, Record<string, string>>;
    assert.deepEqual(composed.dependencies, { a: '2.0.0', b: '1.0.0' });
    assert.deepEqual(composed.devDependencies, {});
    assert.equal(composed.scripts!.build, 'tsc && vite build');
    assert.throws(
      () =>
        packageManifestOf({ name: 'x', description: '' }, [
          { dependencies: { a: '1.0.0' }, devDependencies: {}, scripts: {} },
          { dependencies: { a: '1.0.1' }, devDependencies: {}, scripts: {} },
        ]),
      /pin a differently/,
    );
  });
});

// ---- the generated app as a developer gets it -------------------------------------------------------------

/**
 * Shared by every run, so only the first install on a machine downloads the packages; with the versions
 * pinned exactly, --prefer-offline then takes them from it without asking the registry again.
 */
const NPM_CACHE = path.join(os.tmpdir(), 'lvlup-npm-cache');

/** The environment of a child: this process's, without what node's test runner or npm set for their own children. */
function childEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('npm_') || name === 'NODE_TEST_CONTEXT' || name === 'NODE_OPTIONS') continue;
    environment[name] = value;
  }
  return { ...environment, npm_config_cache: NPM_CACHE, npm_config_update_notifier: 'false', ...extra };
}

/** Runs a command to its end; fails with its output unless it exits 0. */
async function run(command: string, args: string[], cwd: string): Promise<{ output: string; seconds: number }> {
  const started = performance.now();
  const child = spawn(command, args, { cwd, env: childEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  assert.equal(code, 0, `${command} ${args.join(' ')} exited ${code}:\n${output.slice(-20_000)}`);
  return { output, seconds: (performance.now() - started) / 1000 };
}

function writeApp(files: GeneratedFiles): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lvlup-generated-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

interface RunningServer {
  readonly url: string;
  /** SIGTERM; answers the exit code */
  stop(): Promise<number | null>;
}

/** Servers still running: a test that fails half way leaves none behind. */
const running = new Set<ChildProcess>();

/** `node dist/server.js` on a port the system picks, once it has printed its `listening on` line. */
async function startServer(root: string, environment: Record<string, string>): Promise<RunningServer> {
  const child: ChildProcess = spawn(process.execPath, ['dist/server.js'], {
    cwd: root,
    env: childEnvironment({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...environment }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const address = /^listening on (http:\/\/\S+)$/.exec(line)?.[1];
      if (address) resolve(address);
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before listening:\n${errors}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

interface Answer {
  status: number;
  type: string;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies, checked field by field
  body: any;
}

function client(base: string) {
  return async (
    method: string,
    url: string,
    options: { body?: unknown; raw?: string; token?: string } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${base}${url}`, {
      method,
      headers,
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    const body: unknown = type.includes('json') && text ? JSON.parse(text) : text;
    return { status: response.status, type, headers: response.headers, body };
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UNKNOWN = '5a1c7d1e-0000-4000-8000-000000000000';

function assertProblem(answer: Answer, status: number): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.match(answer.type, /^application\/problem\+json/);
  assert.equal(answer.body.status, status);
  assert.equal(typeof answer.body.title, 'string');
  assert.equal(typeof answer.body.detail, 'string');
}

/** The blog over HTTP: accounts, every status the API promises, nesting, links and the built web app. */
async function exerciseBlog(base: string): Promise<{ tagId: string }> {
  const call = client(base);
  const document = await call('GET', '/api/openapi.json');
  assert.deepEqual(document.body, stagesOf('blog').document);

  const registered = await call('POST', '/api/auth/register', {
    body: { email: 'Ada@Example.com', password: 'correct horse battery' },
  });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  assert.match(registered.body.expires_at, TIMESTAMP);
  assertProblem(
    await call('POST', '/api/auth/register', { body: { email: 'ada@example.com', password: 'another password' } }),
    409,
  );
  assertProblem(
    await call('POST', '/api/auth/login', { body: { email: 'ada@example.com', password: 'wrong password' } }),
    401,
  );
  const login = await call('POST', '/api/auth/login', {
    body: { email: 'ada@example.com', password: 'correct horse battery' },
  });
  assert.equal(login.status, 200);
  const token = login.body.token as string;

  const created = await call('POST', '/api/authors', { body: { name: 'Ada', email: 'ada@example.com' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const author = created.body;
  assert.match(author.id, UUID);
  assert.match(author.created_at, TIMESTAMP);
  assert.deepEqual(Object.keys(author), ['id', 'name', 'email', 'created_at', 'updated_at']);
  const listed = await call('GET', '/api/authors?limit=10&offset=0');
  assert.equal(listed.status, 200);
  assert.equal(listed.headers.get('x-total-count'), '1');
  assert.deepEqual(listed.body, [author]);
  assert.deepEqual((await call('GET', `/api/authors/${author.id}`)).body, author);
  const renamed = await call('PATCH', `/api/authors/${author.id}`, { body: { name: 'Ada Lovelace' } });
  assert.equal(renamed.status, 200);
  assert.equal(renamed.body.name, 'Ada Lovelace');
  assertProblem(await call('POST', '/api/authors', { body: { name: 'Other', email: 'ada@example.com' } }), 409);
  assertProblem(await call('POST', '/api/authors', { body: { name: 'No email' } }), 400);
  assertProblem(await call('POST', '/api/authors', { body: { name: 'x', email: 'not an email' } }), 400);
  assertProblem(await call('POST', '/api/authors', { raw: '{"name": ' }), 400);
  assertProblem(await call('GET', '/api/authors?limit=1000'), 400);
  assertProblem(await call('GET', '/api/authors/not-a-uuid'), 400);
  assertProblem(await call('GET', `/api/authors/${UNKNOWN}`), 404);

  const tag = await call('POST', '/api/tags', { body: { label: 'math' } });
  assert.equal(tag.status, 201);
  const post = {
    title: 'Notes',
    status: 'published',
    published_on: '2024-02-29',
    author_id: author.id,
    tag_ids: [tag.body.id],
  };
  assertProblem(await call('POST', '/api/posts', { body: post }), 401);
  assertProblem(await call('POST', '/api/posts', { body: post, token: 'not-a-token' }), 401);
  const stored = await call('POST', '/api/posts', { body: post, token });
  assert.equal(stored.status, 201, JSON.stringify(stored.body));
  assert.deepEqual(
    { ...stored.body, id: 0, created_at: 0, updated_at: 0 },
    { id: 0, ...post, body: null, created_at: 0, updated_at: 0 },
  );
  assertProblem(await call('POST', '/api/posts', { body: { ...post, published_on: '2023-02-29' }, token }), 400);
  assertProblem(await call('POST', '/api/posts', { body: { ...post, author_id: UNKNOWN }, token }), 409);
  assertProblem(await call('POST', '/api/posts', { body: { ...post, tag_ids: [UNKNOWN] }, token }), 409);

  const comments = `/api/posts/${stored.body.id}/comments`;
  assertProblem(await call('POST', `/api/posts/${UNKNOWN}/comments`, { body: { body: 'hi' } }), 404);
  assertProblem(await call('POST', comments, { body: { body: 'hi', rating: 6 } }), 400);
  const comment = await call('POST', comments, { body: { body: 'hi', rating: 5 } });
  assert.equal(comment.status, 201);
  assert.equal(comment.body.post_id, stored.body.id);
  assert.deepEqual((await call('GET', comments)).body, [comment.body]);

  assertProblem(await call('DELETE', `/api/authors/${author.id}`), 409);
  assertProblem(await call('DELETE', `/api/posts/${stored.body.id}`), 401);
  assert.equal((await call('DELETE', `/api/posts/${stored.body.id}`, { token })).status, 204);
  assertProblem(await call('GET', comments), 404);
  assert.equal((await call('DELETE', `/api/authors/${author.id}`)).status, 204);
  assertProblem(await call('GET', `/api/authors/${author.id}`), 404);

  const page = await call('GET', '/some/page/of/the/web/app');
  assert.equal(page.status, 200);
  assert.match(page.body, /generated web app/);
  assertProblem(await call('GET', '/api/nothing-here'), 404);
  return { tagId: tag.body.id };
}

/** The inventory over HTTP: no accounts, no pagination, every field type, three levels of nesting. */
async function exerciseInventory(base: string): Promise<void> {
  const call = client(base);
  const warehouse = await call('POST', '/api/warehouses', {
    body: { code: 'NORTH', website: 'https://north.example.com/' },
  });
  assert.equal(warehouse.status, 201, JSON.stringify(warehouse.body));
  const other = await call('POST', '/api/warehouses', { body: { code: 'SOUTH' } });
  assert.equal(other.body.website, null);
  const listed = await call('GET', '/api/warehouses');
  assert.equal(listed.headers.get('x-total-count'), null);
  assert.deepEqual(
    listed.body.map((item: { code: string }) => item.code),
    ['NORTH', 'SOUTH'],
  );
  assertProblem(await call('PATCH', `/api/warehouses/${warehouse.body.id}`, { body: { code: 'WEST' } }), 404);
  assertProblem(await call('POST', '/api/warehouses', { body: { code: 'AB' } }), 400);

  const shelves = `/api/warehouses/${warehouse.body.id}/shelves`;
  const shelf = await call('POST', shelves, { body: { label: 'A' } });
  assert.equal(shelf.status, 201);
  const bins = `${shelves}/${shelf.body.id}/bins`;
  const bin = await call('POST', bins, { body: { position: 3 } });
  assert.equal(bin.status, 201);
  assert.deepEqual((await call('GET', `${bins}/${bin.body.id}`)).body, bin.body);
  assertProblem(await call('GET', `/api/warehouses/${other.body.id}/shelves/${shelf.body.id}/bins`), 404);
  assertProblem(
    await call('GET', `/api/warehouses/${other.body.id}/shelves/${shelf.body.id}/bins/${bin.body.id}`),
    404,
  );

  const product = {
    name: 'Hammer',
    price: 12.5,
    quantity: 4,
    in_stock: true,
    category: 'tool',
    restocked_at: '2024-05-01T10:30:00.000Z',
    batch: '8d0f9a52-6e1b-4c8a-9d3e-2f1a0b7c6d5e',
    expires_on: '2030-01-31',
    contact: 'stock@example.com',
    bin_id: bin.body.id,
  };
  const stored = await call('POST', '/api/products', { body: product });
  assert.equal(stored.status, 201, JSON.stringify(stored.body));
  assert.deepEqual(
    { ...stored.body, id: 0, created_at: 0, updated_at: 0 },
    { id: 0, ...product, related_ids: [], created_at: 0, updated_at: 0 },
  );
  const offset = await call('POST', '/api/products', {
    body: { ...product, name: 'Nails', restocked_at: '2024-05-01T12:30:00+02:00', related_ids: [stored.body.id] },
  });
  assert.equal(offset.body.restocked_at, '2024-05-01T10:30:00.000Z');
  assert.deepEqual(offset.body.related_ids, [stored.body.id]);
  assertProblem(await call('POST', '/api/products', { body: product }), 409);
  assertProblem(await call('POST', '/api/products', { body: { ...product, name: 'Saw', in_stock: 'yes' } }), 400);
  assertProblem(await call('POST', '/api/products', { body: { ...product, name: 'Saw', price: -1 } }), 400);
  assertProblem(await call('POST', '/api/products', { body: { ...product, name: 'Saw', category: 'food' } }), 400);
  assertProblem(await call('POST', '/api/products', { body: { ...product, name: 'Saw', unknown: 1 } }), 400);
  const cleared = await call('PATCH', `/api/products/${stored.body.id}`, { body: { quantity: null, category: null } });
  assert.equal(cleared.status, 200);
  assert.equal(cleared.body.quantity, null);
  assertProblem(await call('PATCH', `/api/products/${stored.body.id}`, { body: { name: null } }), 400);

  assert.equal((await call('DELETE', `/api/warehouses/${warehouse.body.id}`)).status, 204);
  assert.equal(
    (await call('GET', `/api/products/${stored.body.id}`)).body.bin_id,
    null,
    'the bin went with its warehouse',
  );
}

const SCENARIOS = { blog: exerciseBlog, inventory: exerciseInventory } as const;
const roots: string[] = [];
after(() => {
  for (const child of running) child.kill('SIGKILL');
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

for (const fixture of Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[]) {
  describe(`stage 5: the generated ${fixture} app, installed, built, tested and served`, () => {
    let root = '';

    // Limits only against a hung child: a normal run takes a fraction of them.
    it('installs, typechecks, lints, builds and passes its own tests', { timeout: 900_000 }, async (context) => {
      root = writeApp(generate(fixture));
      roots.push(root);
      const install = await run(
        'npm',
        ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
        root,
      );
      context.diagnostic(`npm install took ${install.seconds.toFixed(1)} s`);
      await run('npm', ['run', 'typecheck'], root);
      await run('npm', ['run', 'lint'], root);
      await run('npm', ['run', 'build'], root);
      const tests = await run('npm', ['test'], root);
      const count = Number(/^# tests (\d+)$/m.exec(tests.output)?.[1]);
      assert.ok(count > 0, tests.output);
      assert.match(tests.output, /^# fail 0$/m);
      context.diagnostic(`its own tests: ${count}, in ${tests.seconds.toFixed(1)} s`);
    });

    for (const target of databaseTargets()) {
      it(
        `serves its API over HTTP on ${target}, keeps its data across a restart and stops on SIGTERM`,
        { timeout: 300_000 },
        async () => {
          assert.ok(root, 'the app was built');
          // what the frontend generator's build leaves: the server serves it at /, with a fallback for its routes
          mkdirSync(path.join(root, 'dist', 'web'), { recursive: true });
          writeFileSync(
            path.join(root, 'dist', 'web', 'index.html'),
            '<!doctype html><title>generated web app</title>',
          );
          const url = target === 'postgres' ? await createPostgresDatabase() : undefined;
          const environment: Record<string, string> = url
            ? { DATABASE_URL: url }
            : { DATA_DIR: mkdtempSync(path.join(root, 'data-')) };
          try {
            const server = await startServer(root, environment);
            try {
              await SCENARIOS[fixture](server.url);
            } finally {
              assert.equal(await server.stop(), 0);
            }
            const restarted = await startServer(root, environment);
            try {
              const openapi = await client(restarted.url)('GET', '/api/openapi.json');
              assert.equal(openapi.status, 200);
              const kept = await client(restarted.url)('GET', fixture === 'blog' ? '/api/tags' : '/api/warehouses');
              assert.equal(kept.body.length, 1, 'the data outlived the process; the migration ran once');
            } finally {
              assert.equal(await restarted.stop(), 0);
            }
          } finally {
            if (url) await dropPostgresDatabase(url);
          }
        },
      );
    }
  });
}
