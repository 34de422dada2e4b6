import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { create as createTar } from 'tar';
import { createApiKey } from '../../src/accounts/api-key-store.js';
import { createUser } from '../../src/accounts/user-store.js';
import { recordAudit } from '../../src/audit/audit-store.js';
import { main } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/config.js';
import type { Database } from '../../src/db/database.js';
import { countRows } from '../../src/db/logical-backup.js';
import { committedMigrations } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/db/open.js';
import { createPostgresDatabase, dropPostgresDatabase } from '../support/database.js';
import { commitFiles, createRepository, gitIn } from '../support/repository-fixtures.js';

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

let root: string;

/** `lvlup <args>` in this process with `environment` as its whole environment. */
async function lvlup(environment: Record<string, string>, ...args: string[]) {
  const stdout = collector();
  const stderr = collector();
  const code = await main(['node', 'lvlup', ...args], {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: Readable.from(['']),
    environment,
    workingDirectory: root,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Opens the database an environment names (and releases it: the embedded one has one user at a time). */
async function inspect<T>(environment: Record<string, string>, work: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(loadConfig(environment, root), { migrate: false });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

const proposalOf = (database: Database, id: string) =>
  database
    .query<{ row: Record<string, unknown> }>('select to_jsonb(p) as row from proposals p where id = $1', [id])
    .then((rows) => rows[0]?.row);

const PROPOSAL_ID = randomUUID();
const REPOSITORY_ID = randomUUID();
/** text a logical copy could get wrong: quotes, backslashes, newlines, non-ASCII, JSON-looking text */
const AWKWARD = 'line one\nline "two" \\ tab\there — ünïcødé 🚀 {"not":"json"}';

/**
 * A source installation: an embedded database with users, a key, audit entries, a cloned repository
 * (its folder under the data folder, as lvlup makes them) and a proposal on it, plus a project's folder.
 */
async function seed(environment: Record<string, string>): Promise<void> {
  const config = loadConfig(environment, root);
  const clone = path.join(config.dataDirectory, 'repositories', REPOSITORY_ID);
  const head = await createRepository(clone, { 'users.js': 'module.exports = 1;\n' });
  await commitFiles(clone, { 'users.js': 'module.exports = 2;\n' });
  mkdirSync(path.join(config.dataDirectory, 'projects', 'p1'), { recursive: true });
  writeFileSync(path.join(config.dataDirectory, 'projects', 'p1', 'spec.json'), '{"name":"shop"}\n');
  // throw-away checkouts and npm's cache are not lvlup's data: a backup leaves them out
  mkdirSync(path.join(config.dataDirectory, 'worktrees', 'apply-x'), { recursive: true });
  const database = await openDatabase(config);
  try {
    const user = await createUser(database.orm, {
      email: 'me@example.com',
      password: 'a long password',
      role: 'admin',
    });
    await createApiKey(database.orm, { name: 'ci', scopes: ['proposals:read'], userId: user.id, createdBy: 'cli' });
    for (let index = 0; index < 3; index += 1)
      await recordAudit(database.orm, { actorType: 'cli', action: `step ${index}` });
    await database.query(
      `insert into repositories (id, name, source, clone_url, path, default_branch, head_commit, policy)
       values ($1, 'shop', 'clone', 'https://example.com/shop.git', $2, 'main', $3, '{}'::jsonb)`,
      [REPOSITORY_ID, clone, head],
    );
    await database.query(
      `insert into proposals (id, ai_type, repository_id, description, confidence, file_path, changes, diff,
                              hunks, additions, deletions, content_hash, base_commit, created_at)
       values ($1, 'guardian', $2, $3, 0.8125, 'users.js', $4::jsonb, $5, 1, 1, 1, 'hash-1', $6,
               '2026-01-02T03:04:05.123456Z')`,
      [
        PROPOSAL_ID,
        REPOSITORY_ID,
        AWKWARD,
        JSON.stringify({ before: AWKWARD, after: `${AWKWARD}!`, nested: [1, null, { deep: true }] }),
        `--- a/users.js\n+++ b/users.js\n@@ -1 +1 @@\n-${AWKWARD}\n+${AWKWARD}!\n`,
        head,
      ],
    );
  } finally {
    await database.close();
  }
}

describe('lvlup backup and restore', { timeout: 600_000 }, () => {
  let source: Record<string, string>;
  let backup: string;
  let sourceRows: Record<string, number>;
  let sourceProposal: Record<string, unknown> | undefined;
  const databases: string[] = [];

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'lvlup-backup-'));
    source = { LVLUP_DATA_DIR: path.join(root, 'source') };
    await seed(source);
    backup = path.join(root, 'backup.tar.gz');
    const result = await lvlup(source, 'backup', '--output', backup);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      new RegExp(
        `^Backed up \\d+ rows in \\d+ tables \\(at migration ${committedMigrations().at(-1)!.tag}\\) and the repositories and projects folders to ${backup.replaceAll('.', '\\.')} \\(\\d+ bytes\\)\\.\\n$`,
      ),
    );
    assert.deepEqual(
      readdirSync(root).filter((file) => file.includes('partial')),
      [],
      'nothing of the assembly is left',
    );
    ({ sourceRows, sourceProposal } = await inspect(source, async (database) => ({
      sourceRows: await countRows(database),
      sourceProposal: await proposalOf(database, PROPOSAL_ID),
    })));
  });
  after(async () => {
    for (const url of databases) await dropPostgresDatabase(url);
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses to overwrite an existing file', async () => {
    const result = await lvlup(source, 'backup', '--output', backup);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /exists; choose another --output/);
  });

  it('restores into an empty embedded database elsewhere: same rows, same proposal, working repositories', async () => {
    const target = { LVLUP_DATA_DIR: path.join(root, 'target') };
    const result = await lvlup(target, 'restore', backup);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Restored \d+ rows from .* by lvlup [\d.]+ on pglite\) into the embedded database/);
    const clone = path.join(root, 'target', 'repositories', REPOSITORY_ID);
    await inspect(target, async (database) => {
      assert.deepEqual(await countRows(database), sourceRows);
      assert.deepEqual(await proposalOf(database, PROPOSAL_ID), sourceProposal);
      const [repository] = await database.query<{ path: string }>('select path from repositories where id = $1', [
        REPOSITORY_ID,
      ]);
      assert.equal(repository?.path, clone, 'the clone is found under the new data folder');
      // ids continue after the restored ones
      const [next] = await database.query<{ id: string }>(
        "insert into audit_log (actor_type, action) values ('cli', 'after') returning id::text as id",
      );
      assert.equal(Number(next?.id), sourceRows.audit_log! + 1);
    });
    assert.equal(await gitIn(clone, 'show', 'HEAD:users.js'), 'module.exports = 2;');
    assert.equal(await gitIn(clone, 'rev-list', '--count', 'HEAD'), '2');
    assert.ok(existsSync(path.join(root, 'target', 'projects', 'p1', 'spec.json')));
    assert.ok(existsSync(path.join(root, 'source', 'repositories', REPOSITORY_ID, '.git', 'hooks')));
    assert.ok(!existsSync(path.join(clone, '.git', 'hooks')), 'git hooks are not carried');
    assert.ok(!existsSync(path.join(root, 'target', 'worktrees')), 'throw-away checkouts are not backed up');
    assert.deepEqual(
      readdirSync(path.join(root, 'target')).filter((entry) => entry.startsWith('.restore-')),
      [],
    );

    const again = await lvlup(target, 'restore', backup);
    assert.equal(again.code, 1, 'a database with rows is not overwritten');
    assert.match(again.stderr, /the target is not empty \(\d+ rows in .*users.*; .*repositories.*add --force/);
    const forced = await lvlup(target, 'restore', '--force', backup);
    assert.equal(forced.code, 0, forced.stderr);
    await inspect(target, async (database) => assert.deepEqual(await countRows(database), sourceRows));
  });

  it('refuses what is not a backup and entries that would land outside it', async () => {
    const target = { LVLUP_DATA_DIR: path.join(root, 'refusals') };
    const text = path.join(root, 'not-a-backup.tar.gz');
    writeFileSync(text, 'hello');
    const garbage = await lvlup(target, 'restore', text);
    assert.equal(garbage.code, 1);
    assert.match(garbage.stderr, /cannot be restored: it is not a readable gzipped tar archive/);

    const staging = path.join(root, 'hostile');
    mkdirSync(path.join(staging, 'other'), { recursive: true });
    writeFileSync(path.join(staging, 'other', 'x.txt'), 'x');
    const hostile = path.join(root, 'hostile.tar.gz');
    await createTar({ gzip: true, file: hostile, cwd: staging }, ['other']);
    const refused = await lvlup(target, 'restore', hostile);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /it holds entries no lvlup backup has: other/);
    assert.ok(!existsSync(path.join(root, 'refusals', 'other')));
  });

  describe('PGlite to PostgreSQL and back', { skip: !process.env.TEST_DATABASE_URL }, () => {
    it('restores the embedded backup into an empty PostgreSQL database, and that one back into PGlite', async () => {
      const url = await createPostgresDatabase();
      databases.push(url);
      const server = { DATABASE_URL: url, LVLUP_DATA_DIR: path.join(root, 'server-data') };
      // a database the migrations have run on, as `lvlup migrate` or the compose migration leave it, counts as empty
      assert.equal((await lvlup(server, 'migrate')).code, 0);
      const restored = await lvlup(server, 'restore', backup);
      assert.equal(restored.code, 0, restored.stderr);
      assert.match(restored.stdout, /on pglite\) into PostgreSQL/);
      await inspect(server, async (database) => {
        assert.equal(database.kind, 'postgres');
        assert.deepEqual(await countRows(database), sourceRows);
        assert.deepEqual(await proposalOf(database, PROPOSAL_ID), sourceProposal);
      });

      const fromServer = path.join(root, 'from-server.tar.gz');
      const dumped = await lvlup(server, 'backup', '--output', fromServer);
      assert.equal(dumped.code, 0, dumped.stderr);
      const back = { LVLUP_DATA_DIR: path.join(root, 'back') };
      const loaded = await lvlup(back, 'restore', fromServer);
      assert.equal(loaded.code, 0, loaded.stderr);
      assert.match(loaded.stdout, /on postgres\) into the embedded database/);
      await inspect(back, async (database) => {
        assert.deepEqual(await countRows(database), sourceRows);
        assert.deepEqual(await proposalOf(database, PROPOSAL_ID), sourceProposal);
      });
      assert.equal(
        await gitIn(path.join(root, 'back', 'repositories', REPOSITORY_ID), 'show', 'HEAD:users.js'),
        'module.exports = 2;',
      );
    });
  });
});
