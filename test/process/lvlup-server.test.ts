import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { openDatabase } from '../../src/db/open.js';
import { freePort } from '../support/free-port.js';
import { LISTENING } from '../support/lvlup-process.js';

const bin = fileURLToPath(new URL('../../bin/lvlup.js', import.meta.url));
const BOOTSTRAP_NOTICE = 'an admin API key was created';
const IN_USE = /The data folder .* is in use by another lvlup process \(pid \d+\)/;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A `node bin/lvlup.js …` child with its output collected. */
class Lvlup {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  exit: Exit | undefined;
  readonly exited: Promise<Exit>;
  /** called whenever output arrives or the process exits */
  private changed = () => {};

  constructor(
    args: string[],
    readonly options: { dataDirectory: string; port: number; cwd: string; command?: string },
  ) {
    const [command, commandArguments] = options.command ? [options.command, args] : [process.execPath, [bin, ...args]];
    this.child = spawn(command, commandArguments, {
      cwd: options.cwd,
      env: {
        PATH: process.env.PATH,
        LVLUP_DATA_DIR: options.dataDirectory,
        PORT: String(options.port),
        API_HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(this.child);
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString();
      this.changed();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      this.changed();
    });
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        children.delete(this.child);
        resolve(this.exit);
        this.changed();
      }),
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  /**
   * Resolves once the child logs that it listens (looking again whenever output arrives, not on a timer),
   * checking that /health then answers 200; fails if the process exits first.
   */
  async healthy(timeoutMs = 60_000): Promise<void> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.changed();
    }, timeoutMs);
    try {
      while (!this.stdout.includes(LISTENING)) {
        if (this.exit) throw new Error(`lvlup exited (${JSON.stringify(this.exit)}) before serving:\n${this.output()}`);
        if (timedOut) throw new Error(`lvlup did not listen in ${timeoutMs} ms:\n${this.output()}`);
        await new Promise<void>((resolve) => (this.changed = resolve));
      }
    } finally {
      clearTimeout(timer);
      this.changed = () => {};
    }
    const health = await fetch(`${this.url}/health`);
    assert.equal(health.status, 200, this.output());
  }

  /** Waits for the exit, killing the child when it takes longer than `timeoutMs`. */
  async exitWithin(timeoutMs: number): Promise<Exit> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  output(): string {
    return `stdout:\n${this.stdout}\nstderr:\n${this.stderr}`;
  }

  request(method: string, url: string, key?: string, body?: unknown) {
    return fetch(`${this.url}${url}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  }
}

const children = new Set<ChildProcess>();

function bootstrapKey(stdout: string): string {
  const match = /^ {4}(lvl_[A-Za-z0-9_-]{32,})$/m.exec(stdout);
  assert.ok(match, `no bootstrap key in:\n${stdout}`);
  return match[1]!;
}

describe('lvlup server processes (PGlite)', { timeout: 900_000 }, () => {
  let root: string;
  let seed: string;
  let folders = 0;

  /** A data folder holding a migrated, empty database (copied, so only one initdb runs). */
  function dataFolder(): string {
    const folder = path.join(root, `data-${(folders += 1)}`);
    cpSync(seed, folder, { recursive: true });
    return folder;
  }

  async function start(dataDirectory: string, args: string[] = ['serve']): Promise<Lvlup> {
    return new Lvlup(args, { dataDirectory, port: await freePort(), cwd: root });
  }

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'lvlup-process-'));
    seed = path.join(root, 'seed');
    const database = await openDatabase(loadConfig({ LVLUP_DATA_DIR: seed }, root));
    await database.close();
    assert.ok(!existsSync(path.join(seed, 'lvlup.lock')));
  });

  after(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  it('prints a bootstrap admin key once, serves, and refuses a second process on the same folder', async () => {
    const dataDirectory = dataFolder();
    const first = await start(dataDirectory);
    await first.healthy();
    const key = bootstrapKey(first.stdout);
    assert.equal(first.stdout.split(BOOTSTRAP_NOTICE).length - 1, 1, first.stdout);
    assert.match(first.stdout, new RegExp(`curl -H "Authorization: Bearer ${key}" ${first.url}/api/v1/auth/me`));

    const me = await first.request('GET', '/api/v1/auth/me', key);
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { type: string }).type, 'api_key');
    assert.equal((await first.request('GET', '/api/v1/auth/me', 'lvl_wrong')).status, 401);

    // A second server and a migration on the same folder, side by side, both while the first serves.
    // They must exit by themselves rather than wait for the lock; the deadline (after which they are killed
    // and the test fails on the signal) only has to outlast a slow start on a loaded machine.
    const second = await start(dataDirectory);
    const migrate = await start(dataDirectory, ['migrate']);
    const [exit, migrateExit] = await Promise.all([second.exitWithin(60_000), migrate.exitWithin(60_000)]);
    assert.notEqual(exit.code, 0, second.output());
    assert.equal(exit.signal, null, 'the second process was killed instead of exiting by itself');
    assert.match(second.stderr, IN_USE);
    assert.ok(second.stderr.includes(dataDirectory), second.stderr);
    assert.ok(second.stderr.includes(`pid ${first.child.pid}`), second.stderr);
    assert.ok(!second.stdout.includes(BOOTSTRAP_NOTICE));

    assert.equal(migrateExit.code, 1, migrate.output());
    assert.match(migrate.stderr, IN_USE);
    assert.doesNotMatch(migrate.stdout, /up to date/);

    assert.equal(first.exit, undefined);
    assert.equal((await first.request('GET', '/health')).status, 200);
    assert.equal((await first.request('GET', '/api/v1/auth/me', key)).status, 200);
    first.child.kill('SIGTERM');
    assert.equal((await first.exitWithin(20_000)).code, 0, first.output());
  });

  it('`npm start` hands SIGTERM to the server, which exits and frees the data folder', async () => {
    const dataDirectory = dataFolder();
    const repository = fileURLToPath(new URL('../..', import.meta.url));
    const npm = new Lvlup(['start'], { dataDirectory, port: await freePort(), cwd: repository, command: 'npm' });
    await npm.healthy();
    const lock = JSON.parse(readFileSync(path.join(dataDirectory, 'lvlup.lock'), 'utf8')) as { pid: number };
    assert.notEqual(lock.pid, npm.child.pid, 'the server should be a child of npm');

    npm.child.kill('SIGTERM');
    const exit = await npm.exitWithin(20_000);
    const orphaned = existsSync(path.join(dataDirectory, 'lvlup.lock'));
    if (orphaned) process.kill(lock.pid, 'SIGKILL'); // or it would hold this test's output pipe open
    assert.deepEqual(exit, { code: 0, signal: null }, npm.output());
    // npm waits for its script; the server, signalled through it, has let go of the folder and the port.
    assert.ok(!orphaned, 'the server outlived npm');
    assert.throws(() => process.kill(lock.pid, 0), { code: 'ESRCH' });
    await assert.rejects(fetch(`${npm.url}/health`));
  });

  it('keeps data across a graceful restart', async () => {
    const dataDirectory = dataFolder();
    const lockFile = path.join(dataDirectory, 'lvlup.lock');
    const first = await start(dataDirectory);
    await first.healthy();
    const key = bootstrapKey(first.stdout);
    assert.equal(JSON.parse(readFileSync(lockFile, 'utf8')).pid, first.child.pid);
    const created = await first.request('POST', '/api/v1/users', key, {
      email: 'kept@example.com',
      password: 'correct horse battery',
      role: 'reviewer',
    });
    assert.equal(created.status, 201, await created.clone().text());
    const { id } = (await created.json()) as { id: string };

    first.child.kill('SIGTERM');
    const exit = await first.exitWithin(20_000);
    assert.deepEqual(exit, { code: 0, signal: null }, first.output());
    assert.ok(!existsSync(lockFile), 'the lock file outlived the server');

    const second = await start(dataDirectory);
    await second.healthy();
    assert.ok(!second.stdout.includes(BOOTSTRAP_NOTICE), second.stdout);
    assert.doesNotMatch(second.stdout, /lvl_/);
    const user = await second.request('GET', `/api/v1/users/${id}`, key);
    assert.equal(user.status, 200);
    assert.equal(((await user.json()) as { email: string }).email, 'kept@example.com');
    const login = await second.request('POST', '/api/v1/auth/login', undefined, {
      email: 'kept@example.com',
      password: 'correct horse battery',
    });
    assert.equal(login.status, 200);
    second.child.kill('SIGTERM');
    assert.equal((await second.exitWithin(20_000)).code, 0, second.output());
  });

  it('finishes an in-flight request on SIGTERM, then exits 0', async () => {
    const server = await start(dataFolder());
    await server.healthy();
    const body = JSON.stringify({ email: 'nobody@example.com', password: 'wrong password here' });
    const half = Math.floor(body.length / 2);
    const agent = new http.Agent({ keepAlive: true, timeout: 60_000 });
    const request = http.request(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      agent,
      // 100-continue: the server answers "continue" once it holds the request and waits for its body.
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        expect: '100-continue',
      },
    });
    const response = new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      request.on('response', (incoming) => {
        let text = '';
        incoming.on('data', (chunk: Buffer) => (text += chunk.toString()));
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode!, type: String(incoming.headers['content-type']), body: text }),
        );
        incoming.on('error', reject);
      });
      request.on('error', reject);
    });
    request.flushHeaders();
    await once(request, 'continue');
    request.write(body.slice(0, half));

    server.child.kill('SIGTERM');
    // The server stops accepting new connections while the request is still open.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const refused = await fetch(`${server.url}/health`).then(
        () => false,
        () => true,
      );
      if (refused) break;
      assert.ok(Date.now() < deadline, 'the server kept accepting connections after SIGTERM');
      // No event says from outside that the listener closed: the check is repeated, paced, until the deadline.
      await sleep(50);
    }
    assert.equal(server.exit, undefined, `exited with a request in flight:\n${server.output()}`);

    request.end(body.slice(half));
    const answer = await response;
    assert.equal(answer.status, 401, answer.body);
    assert.match(answer.type, /^application\/problem\+json/);
    const problem = JSON.parse(answer.body) as { status: number; code: string; detail: string };
    assert.equal(problem.status, 401);
    assert.equal(problem.code, 'unauthorized');
    assert.equal(problem.detail, 'Invalid email or password.');
    // The client keeps its connection alive; the server must still close it and exit before SHUTDOWN_TIMEOUT
    // (10 s), which would end the process with code 1: the exit code says it, whatever the machine's load.
    assert.deepEqual(await server.exitWithin(60_000), { code: 0, signal: null }, server.output());
    agent.destroy();
  });

  it('takes over the lock of a process killed with SIGKILL', async () => {
    const dataDirectory = dataFolder();
    const lockFile = path.join(dataDirectory, 'lvlup.lock');
    const killed = await start(dataDirectory);
    await killed.healthy();
    const key = bootstrapKey(killed.stdout);
    killed.child.kill('SIGKILL');
    assert.equal((await killed.exited).signal, 'SIGKILL');
    assert.equal(JSON.parse(readFileSync(lockFile, 'utf8')).pid, killed.child.pid, 'the stale lock is gone');

    const next = await start(dataDirectory);
    await next.healthy();
    assert.equal(JSON.parse(readFileSync(lockFile, 'utf8')).pid, next.child.pid);
    assert.equal((await next.request('GET', '/api/v1/auth/me', key)).status, 200);
    next.child.kill('SIGTERM');
    assert.equal((await next.exitWithin(20_000)).code, 0, next.output());
    assert.ok(!existsSync(lockFile));
  });
});
