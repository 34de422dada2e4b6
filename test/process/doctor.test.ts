import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { createPostgresDatabase, dropPostgresDatabase } from '../support/database.js';
import { freePort } from '../support/free-port.js';

function collector() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

/** The line `lvlup doctor` printed for one check. */
const lineOf = (output: string, name: string) =>
  output.split('\n').find((line) => new RegExp(`^(ok  |warn|FAIL|skip)  ${name} +\\S`).test(line)) ?? '';

const KEY = 'sk-doctor-test-key';

/** Answers `GET /v1/models` as OpenAI does: the list for the right bearer key, 401 otherwise. */
function startModelsServer(): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/v1/models') {
      response.writeHead(404).end();
      return;
    }
    if (request.headers.authorization !== `Bearer ${KEY}`) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        object: 'list',
        data: [
          { id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' },
          { id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' },
        ],
      }),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('lvlup doctor', { timeout: 300_000 }, () => {
  let root: string;
  let models: Server;
  let base: Record<string, string>;

  async function doctor(environment: Record<string, string>) {
    const stdout = collector();
    const stderr = collector();
    const code = await main(['node', 'lvlup', 'doctor'], {
      stdout: stdout.stream,
      stderr: stderr.stream,
      stdin: Readable.from(['']),
      environment,
      workingDirectory: root,
    });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'lvlup-doctor-'));
    models = await startModelsServer();
    base = {
      PATH: process.env.PATH ?? '',
      LVLUP_DATA_DIR: path.join(root, 'data'),
      DOCKER_HOST: `unix://${path.join(root, 'no-docker.sock')}`,
    };
  });
  after(() => {
    models.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('names what is there and what is not, one line each, and exits 1 when a configured provider is unreachable', async () => {
    const closed = await freePort();
    const environment = {
      ...base,
      OPENAI_API_KEY: KEY,
      OPENAI_BASE_URL: `http://127.0.0.1:${(models.address() as AddressInfo).port}/v1`,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: `http://127.0.0.1:${closed}`,
    };
    const fresh = await doctor(environment);
    assert.equal(fresh.code, 1, fresh.stdout);
    const names = fresh.stdout
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((line) => line.slice(6).split(/ {2,}/)[0]);
    assert.deepEqual(names, [
      'node',
      'configuration',
      'data folder',
      'database',
      'redis',
      'git',
      'bubblewrap',
      'chromium',
      'flutter',
      'docker',
      'llm openai',
      'llm anthropic',
      'smtp',
    ]);
    assert.match(
      lineOf(fresh.stdout, 'node'),
      new RegExp(`^(ok  |warn)  node +${process.version.replaceAll('.', '\\.')}`),
    );
    assert.match(lineOf(fresh.stdout, 'configuration'), /^ok {4}configuration +every variable is valid$/);
    assert.match(lineOf(fresh.stdout, 'data folder'), /does not exist yet; the first start creates it$/);
    assert.match(lineOf(fresh.stdout, 'database'), /^warn .*does not exist yet .* — fix: lvlup migrate/);
    assert.match(lineOf(fresh.stdout, 'git'), /^ok {4}git +git version \d/);
    assert.match(
      lineOf(fresh.stdout, 'flutter'),
      /^warn .*no Flutter SDK .* — fix: install the Flutter SDK and set FLUTTER_PATH/,
    );
    assert.match(lineOf(fresh.stdout, 'docker'), /^warn .*no Docker daemon at .*no-docker\.sock \(connect ENOENT/);
    assert.match(
      lineOf(fresh.stdout, 'llm openai'),
      /^ok {4}llm openai +http:\/\/127\.0\.0\.1:\d+\/v1 answers, 2 models$/,
    );
    assert.match(
      lineOf(fresh.stdout, 'llm anthropic'),
      new RegExp(
        `^FAIL  llm anthropic +http://127\\.0\\.0\\.1:${closed}/v1 is unreachable \\(ECONNREFUSED\\) — fix: check ANTHROPIC_BASE_URL`,
      ),
    );
    assert.match(lineOf(fresh.stdout, 'smtp'), /^skip {2}smtp +lvlup sends no email/);
    assert.match(fresh.stdout, /\n1 failed, \d+ warnings? \(.*database.*\)\.\n$/);
    assert.equal(fresh.stderr, 'lvlup: required: llm anthropic\n');

    // once migrated the database is fine; a wrong key is named as such
    const migrated = await main(['node', 'lvlup', 'migrate'], {
      stdout: collector().stream,
      stderr: collector().stream,
      environment,
      workingDirectory: root,
    });
    assert.equal(migrated, 0);
    const { ANTHROPIC_API_KEY: _key, ANTHROPIC_BASE_URL: _url, ...openaiOnly } = environment;
    const wrongKey = await doctor({ ...openaiOnly, OPENAI_API_KEY: 'sk-wrong' });
    assert.equal(wrongKey.code, 1);
    assert.match(
      lineOf(wrongKey.stdout, 'database'),
      /^ok {4}database +embedded PostgreSQL [\d.]+ \(PGlite\) reachable; migrated \(\d+ of \d+, \d{4}_\w+\)$/,
    );
    assert.match(lineOf(wrongKey.stdout, 'data folder'), /is writable; not locked$/);
    assert.match(
      lineOf(wrongKey.stdout, 'llm openai'),
      /^FAIL .*\/v1\/models answered HTTP 401: the key was refused — fix: set a valid OPENAI_API_KEY$/,
    );

    const good = await doctor(openaiOnly);
    assert.equal(good.code, 0, good.stdout);
    assert.match(good.stdout, /\n0 failed, /);
    assert.equal(good.stderr, '');
  });

  it('fails what is required and missing: git off the PATH, no usable bubblewrap', async () => {
    const empty = path.join(root, 'empty-path');
    mkdirSync(empty, { recursive: true });
    const result = await doctor({ ...base, PATH: empty, SANDBOX_BWRAP_PATH: path.join(root, 'no-bwrap') });
    assert.equal(result.code, 1);
    assert.match(lineOf(result.stdout, 'git'), /^FAIL {2}git +not found on PATH.* — fix: apt-get install git$/);
    assert.match(lineOf(result.stdout, 'bubblewrap'), /^FAIL {2}bubblewrap +the sandbox is unavailable .* — fix: /);
    assert.match(lineOf(result.stdout, 'chromium'), /^warn .*not found on PATH.* — fix: apt-get install chromium$/);
    assert.match(lineOf(result.stdout, 'llm'), /^warn .*no provider configured/);
    assert.equal(result.stderr, 'lvlup: required: git, bubblewrap\n');
  });

  it('names the process holding the data folder and leaves its database alone', async () => {
    const folder = path.join(root, 'locked');
    mkdirSync(path.join(folder, 'pgdata'), { recursive: true });
    writeFileSync(
      path.join(folder, 'lvlup.lock'),
      JSON.stringify({ pid: process.pid, hostname: os.hostname(), token: randomUUID() }),
    );
    const result = await doctor({ ...base, LVLUP_DATA_DIR: folder });
    assert.match(lineOf(result.stdout, 'data folder'), new RegExp(`is writable; locked by lvlup pid ${process.pid}$`));
    assert.match(
      lineOf(result.stdout, 'database'),
      new RegExp(`^skip {2}database +the embedded database is in use by lvlup pid ${process.pid}`),
    );
  });

  it('reports a bad configuration as a failed line and skips what needs it', async () => {
    const result = await doctor({ ...base, DATABASE_POOL_SIZE: '1' });
    assert.equal(result.code, 1);
    assert.match(
      lineOf(result.stdout, 'configuration'),
      /^FAIL {2}configuration +DATABASE_POOL_SIZE must be a whole number between 2 and 200/,
    );
    assert.match(lineOf(result.stdout, 'database'), /^skip {2}database +needs a valid configuration$/);
    assert.match(lineOf(result.stdout, 'git'), /^ok /);
  });

  it(
    'checks a PostgreSQL server: pending migrations, then migrated; an unreachable one fails',
    { skip: !process.env.TEST_DATABASE_URL },
    async () => {
      const url = await createPostgresDatabase();
      try {
        const environment = { ...base, DATABASE_URL: url };
        const pending = await doctor(environment);
        assert.match(
          lineOf(pending.stdout, 'database'),
          /^warn {2}database +PostgreSQL [\d.]+ .*reachable; (\d+) of \1 migrations pending .* — fix: lvlup migrate$/,
        );
        const migrated = await main(['node', 'lvlup', 'migrate'], {
          stdout: collector().stream,
          stderr: collector().stream,
          environment,
          workingDirectory: root,
        });
        assert.equal(migrated, 0);
        assert.match(
          lineOf((await doctor(environment)).stdout, 'database'),
          /^ok {4}database +PostgreSQL [\d.]+ .*reachable; migrated/,
        );
      } finally {
        await dropPostgresDatabase(url);
      }
      const down = await doctor({ ...base, DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/lvlup` });
      assert.equal(down.code, 1);
      assert.match(
        lineOf(down.stdout, 'database'),
        /^FAIL {2}database +cannot open PostgreSQL: .*ECONNREFUSED.* — fix: check DATABASE_URL/,
      );
    },
  );
});
