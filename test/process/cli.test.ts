import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { verifyPassword } from '../../src/accounts/passwords.js';
import { main } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/config.js';
import type { Database } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open.js';
import { apiKeys, auditLog, users } from '../../src/db/schema.js';
import { createPostgresDatabase, databaseTargets, dropPostgresDatabase } from '../support/database.js';
import { freePort } from '../support/free-port.js';

const bin = fileURLToPath(new URL('../../bin/lvlup.js', import.meta.url));

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/lvlup.js …` to its end, killing it after `timeoutMs` (long: a loaded machine starts node slowly). */
function spawnLvlup(args: string[], env: Record<string, string>, cwd: string, timeoutMs = 120_000): Promise<Outcome> {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('lvlup as a process', { timeout: 600_000 }, () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'lvlup-cli-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('exits 78 at once on a bad PORT, says what is allowed, and listens nowhere', async () => {
    const port = await freePort();
    const dataDirectory = path.join(root, 'bad-port-data');
    const outcome = await spawnLvlup(
      ['serve'],
      { PORT: 'abc', API_PORT: String(port), LVLUP_DATA_DIR: dataDirectory, API_HOST: '127.0.0.1' },
      root,
      60_000,
    );
    assert.equal(outcome.signal, null, 'the process did not exit by itself');
    assert.equal(outcome.code, 78, `stdout:\n${outcome.stdout}\nstderr:\n${outcome.stderr}`);
    assert.match(outcome.stderr, /^Invalid configuration:\n {2}PORT must be a port number between 1 and 65535/);
    assert.match(outcome.stderr, /"abc"/);
    assert.equal(outcome.stdout, '');
    assert.equal(await canConnect(port), false);
    assert.ok(!existsSync(dataDirectory), 'the data folder was created before the configuration was checked');
  });

  describe('--help', { concurrency: 3 }, () => {
    const commands: { args: string[]; usage: string; mentions: string[] }[] = [
      {
        args: [],
        usage: 'lvlup [options] [command]',
        mentions: ['serve', 'worker', 'migrate', 'keys', 'users', '--version'],
      },
      { args: ['serve'], usage: 'lvlup serve [options]', mentions: ['run the HTTP API', '--no-worker'] },
      { args: ['worker'], usage: 'lvlup worker [options]', mentions: ['no HTTP'] },
      { args: ['migrate'], usage: 'lvlup migrate [options]', mentions: ['apply pending database migrations'] },
      { args: ['keys'], usage: 'lvlup keys [options] [command]', mentions: ['create', 'list', 'revoke'] },
      {
        args: ['keys', 'create'],
        usage: 'lvlup keys create [options]',
        mentions: ['--name', '--scopes', 'agents:run'],
      },
      { args: ['keys', 'list'], usage: 'lvlup keys list [options]', mentions: ['--json'] },
      { args: ['keys', 'revoke'], usage: 'lvlup keys revoke [options] <id>', mentions: ['the key id'] },
      { args: ['users'], usage: 'lvlup users [options] [command]', mentions: ['create'] },
      {
        args: ['users', 'create'],
        usage: 'lvlup users create [options]',
        mentions: ['--email', '--role', 'maintainer', '--password-stdin'],
      },
    ];
    for (const { args, usage, mentions } of commands) {
      it(`lvlup ${[...args, '--help'].join(' ')} prints usage and exits 0`, async () => {
        // A bad configuration must not stand in the way of reading the help.
        const outcome = await spawnLvlup([...args, '--help'], { PORT: 'abc' }, root);
        assert.equal(outcome.code, 0, outcome.stderr);
        assert.ok(outcome.stdout.startsWith(`Usage: ${usage}\n`), outcome.stdout);
        for (const mention of mentions) assert.ok(outcome.stdout.includes(mention), `${mention} in ${outcome.stdout}`);
        assert.equal(outcome.stderr, '');
      });
    }
  });
});

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

const PASSWORD = 'a long enough password';

for (const target of databaseTargets()) {
  describe(`lvlup commands on ${target}`, { timeout: 600_000 }, () => {
    let root: string;
    let environment: Record<string, string>;
    let databaseUrl: string | undefined;

    async function run(args: string[], stdin = '') {
      const stdout = collector();
      const stderr = collector();
      const code = await main(['node', 'lvlup', ...args], {
        stdout: stdout.stream,
        stderr: stderr.stream,
        stdin: Readable.from([stdin]),
        environment,
        workingDirectory: root,
      });
      return { code, stdout: stdout.text(), stderr: stderr.text() };
    }

    /** Opens the same database the commands use (and releases it: PGlite allows one user at a time). */
    async function inspect<T>(work: (database: Database) => Promise<T>): Promise<T> {
      const database = await openDatabase(loadConfig(environment, root), { migrate: false });
      try {
        return await work(database);
      } finally {
        await database.close();
      }
    }

    before(async () => {
      root = mkdtempSync(path.join(os.tmpdir(), 'lvlup-cli-'));
      if (target === 'postgres') {
        databaseUrl = await createPostgresDatabase();
        environment = { DATABASE_URL: databaseUrl };
      } else {
        environment = { LVLUP_DATA_DIR: 'data' };
      }
    });
    after(async () => {
      if (databaseUrl) await dropPostgresDatabase(databaseUrl);
      rmSync(root, { recursive: true, force: true });
    });

    it('migrate brings a new database up to date', async () => {
      const result = await run(['migrate']);
      assert.equal(result.code, 0, result.stderr);
      const where = target === 'postgres' ? 'PostgreSQL' : `embedded, ${path.join(root, 'data')}`;
      assert.equal(result.stdout, `Database is up to date (${where}).\n`);
      assert.equal(result.stderr, '');
      if (target === 'pglite') assert.ok(!existsSync(path.join(root, 'data', 'lvlup.lock')), 'lock left behind');
      const tables = await inspect((database) =>
        database.query<{ name: string }>(
          "select table_name as name from information_schema.tables where table_schema = 'public'",
        ),
      );
      assert.ok(tables.map((table) => table.name).includes('users'));
    });

    it('refuses a bad configuration with exit code 78', async () => {
      const saved = environment;
      environment = { ...environment, LOG_LEVEL: 'loud' };
      try {
        const result = await run(['migrate']);
        assert.equal(result.code, 78);
        assert.match(result.stderr, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/);
        assert.equal(result.stdout, '');
      } finally {
        environment = saved;
      }
    });

    it('users create stores a user with the password read from stdin', async () => {
      const result = await run(
        ['users', 'create', '--email', 'Maint@Example.com', '--role', 'maintainer', '--password-stdin'],
        `${PASSWORD}\n`,
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^Created maintainer maint@example\.com \([0-9a-f-]{36}\)\.\n$/);
      assert.ok(!result.stdout.includes(PASSWORD));
      const { rows, audits } = await inspect(async (database) => ({
        rows: await database.orm.select().from(users),
        audits: await database.orm.select().from(auditLog).where(eq(auditLog.action, 'users create')),
      }));
      assert.equal(rows.length, 1);
      const [user] = rows;
      assert.equal(user!.email, 'maint@example.com');
      assert.equal(user!.role, 'maintainer');
      assert.ok(!user!.passwordHash.includes(PASSWORD));
      assert.equal(await verifyPassword(user!.passwordHash, PASSWORD), true, 'the trailing newline was kept');
      assert.equal(result.stdout.includes(user!.id), true);
      assert.deepEqual(
        audits.map((entry) => [entry.actorType, entry.target]),
        [['cli', user!.id]],
      );
    });

    it('users create refuses a taken email, whatever its case', async () => {
      const result = await run(['users', 'create', '--email', 'MAINT@example.com', '--password-stdin'], PASSWORD);
      assert.equal(result.code, 1);
      assert.equal(result.stderr, 'lvlup: A user with email maint@example.com already exists\n');
      assert.equal(result.stdout, '');
      assert.equal((await inspect((database) => database.orm.select().from(users))).length, 1);
    });

    it('users create refuses a short password and a missing one', async () => {
      const short = await run(['users', 'create', '--email', 'short@example.com', '--password-stdin'], 'short\n');
      assert.equal(short.code, 1);
      assert.match(short.stderr, /the password must be at least 12 characters/);
      const missing = await run(['users', 'create', '--email', 'missing@example.com']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /--password-stdin or LVLUP_USER_PASSWORD/);
      const badRole = await run(['users', 'create', '--email', 'r@example.com', '--role', 'emperor'], PASSWORD);
      assert.notEqual(badRole.code, 0);
      assert.match(badRole.stderr, /emperor/);
      assert.match(badRole.stderr, /admin, maintainer, reviewer, viewer/);
      const emails = (await inspect((database) => database.orm.select().from(users))).map((user) => user.email);
      assert.deepEqual(emails, ['maint@example.com']);
    });

    let keyId: string;
    let secret: string;

    it('keys create prints the secret once and stores only its hash', async () => {
      const result = await run(['keys', 'create', '--name', 'ci', '--scopes', 'proposals:read,agents:run']);
      assert.equal(result.code, 0, result.stderr);
      const secrets = result.stdout.match(/lvl_[A-Za-z0-9_-]+/g) ?? [];
      assert.equal(secrets.length, 1, result.stdout);
      secret = secrets[0]!;
      assert.ok(secret.length >= 36);
      const header = /^Created API key ([0-9a-f-]{36}) \(ci; scopes proposals:read, agents:run\)\.\n/.exec(
        result.stdout,
      );
      assert.ok(header, result.stdout);
      keyId = header[1]!;
      assert.ok(result.stdout.endsWith(`Secret, shown only now:\n${secret}\n`), result.stdout);

      const rows = await inspect((database) => database.orm.select().from(apiKeys));
      assert.equal(rows.length, 1);
      const [key] = rows;
      assert.equal(key!.id, keyId);
      assert.equal(key!.name, 'ci');
      assert.deepEqual(key!.scopes, ['proposals:read', 'agents:run']);
      assert.equal(key!.keyHash, createHash('sha256').update(secret).digest('hex'));
      assert.equal(key!.prefix, secret.slice(0, 12));
      assert.equal(key!.revokedAt, null);
      assert.ok(!JSON.stringify(rows).includes(secret), 'the secret is stored in clear');
    });

    it('keys create refuses an unknown scope and a key beyond its owner', async () => {
      const unknown = await run(['keys', 'create', '--name', 'bad', '--scopes', 'proposals:read,nope']);
      assert.notEqual(unknown.code, 0);
      assert.match(unknown.stderr, /unknown scope nope; known: admin, proposals:read/);
      assert.equal(unknown.stdout, '');
      const excess = await run([
        'keys',
        'create',
        '--name',
        'too much',
        '--scopes',
        'admin',
        '--user',
        'maint@example.com',
      ]);
      assert.equal(excess.code, 1);
      assert.match(excess.stderr, /a maintainer cannot hold admin/);
      const names = (await inspect((database) => database.orm.select().from(apiKeys))).map((key) => key.name);
      assert.deepEqual(names, ['ci']);
    });

    it('keys list shows the key but never its secret', async () => {
      const result = await run(['keys', 'list']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stdout,
        new RegExp(`^${keyId} {2}${secret.slice(0, 12)}… {2}active {3}ci {2}\\[proposals:read,agents:run\\]\n$`),
      );
      assert.ok(!result.stdout.includes(secret));
      const json = await run(['keys', 'list', '--json']);
      assert.equal(json.code, 0, json.stderr);
      const listed = JSON.parse(json.stdout) as { id: string; name: string }[];
      assert.deepEqual(
        listed.map((key) => [key.id, key.name]),
        [[keyId, 'ci']],
      );
      assert.ok(!json.stdout.includes(secret));
    });

    it('keys revoke marks the key revoked, once', async () => {
      const result = await run(['keys', 'revoke', keyId]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `Revoked API key ${keyId}.\n`);
      const [key] = await inspect((database) => database.orm.select().from(apiKeys).where(eq(apiKeys.id, keyId)));
      assert.ok(key!.revokedAt instanceof Date);
      const listed = await run(['keys', 'list']);
      assert.match(listed.stdout, /revoked {2}ci/);
      const again = await run(['keys', 'revoke', keyId]);
      assert.equal(again.code, 1);
      assert.equal(again.stderr, `lvlup: no active API key ${keyId}\n`);
    });

    it('keys revoke fails on an unknown id', async () => {
      const unknown = await run(['keys', 'revoke', '00000000-0000-4000-8000-000000000000']);
      assert.equal(unknown.code, 1);
      assert.equal(unknown.stderr, 'lvlup: no active API key 00000000-0000-4000-8000-000000000000\n');
      assert.equal(unknown.stdout, '');
      const malformed = await run(['keys', 'revoke', 'not-a-key']);
      assert.equal(malformed.code, 1);
      assert.match(malformed.stderr, /not-a-key is not a key id/);
    });
  });
}
