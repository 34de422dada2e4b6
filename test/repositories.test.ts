import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { proposals, repositories } from '../src/db/schema.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { commitFiles, createRepository, gitIn } from './support/repository-fixtures.js';

const BINARY = Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13, 0]);
const BIG = 'x'.repeat(1024 * 1024 + 1);
const fileUrl = (folder: string) => pathToFileURL(folder).href;

interface Problem {
  code: string;
  errors: { field: string; message: string }[];
}
interface Tree {
  entries: { name: string; path: string; type: string; size?: number }[];
}

for (const target of databaseTargets()) {
  describe(`repositories API on ${target}`, () => {
    let t: TestApp;
    let workspace: string;
    let roots: string;
    let dataDirectory: string;
    let upstream: string;
    let upstreamHead: string;
    let featureHead: string;
    let local: string;
    let localHead: string;
    let writerKey: string;
    let readerKey: string;
    let cloneId: string;
    let localId: string;

    const rowCount = async () => (await t.database.orm.select().from(repositories)).length;
    const clonesOnDisk = async () =>
      existsSync(path.join(dataDirectory, 'repositories')) ? readdir(path.join(dataDirectory, 'repositories')) : [];
    const register = (payload: Record<string, unknown>, key = writerKey) =>
      t.request({ method: 'POST', url: '/api/v1/repositories', key, payload });
    const browse = (id: string, kind: 'tree' | 'file', query: Record<string, string>, key = readerKey) =>
      t.request({
        method: 'GET',
        url: `/api/v1/repositories/${id}/${kind}?${new URLSearchParams(query).toString()}`,
        key,
      });

    before(async () => {
      workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-repositories-')));
      roots = path.join(workspace, 'code');
      dataDirectory = path.join(workspace, 'data');
      upstream = path.join(roots, 'upstream');
      upstreamHead = await createRepository(upstream, {
        'README.md': 'hello from upstream\n',
        'src/app.ts': 'export const answer = 42;\n',
        'src/nested/deep.txt': 'deep\n',
        'data.bin': BINARY,
        'big.txt': BIG,
        passwd: { symlink: '/etc/passwd' },
        'linked-src': { symlink: 'src' },
      });
      await gitIn(upstream, 'checkout', '--quiet', '-b', 'feature');
      featureHead = await commitFiles(upstream, { 'feature.txt': 'only on feature\n' }, 'feature work');
      await gitIn(upstream, 'checkout', '--quiet', 'main');

      local = path.join(roots, 'local');
      localHead = await createRepository(local, {
        'README.md': 'committed\n',
        'lib/index.js': 'module.exports = 1;\n',
      });
      await writeFile(path.join(local, 'README.md'), 'uncommitted edit\n');
      await writeFile(path.join(local, 'untracked.txt'), 'not committed at all\n');

      t = await createTestApp(target, {
        environment: { LVLUP_REPO_ROOTS: roots, LVLUP_DATA_DIR: dataDirectory },
      });
      writerKey = await t.createKey(['repos:read', 'repos:write']);
      readerKey = await t.createKey(['repos:read']);
    });
    after(async () => {
      await t.close();
      await rm(workspace, { recursive: true, force: true });
    });

    describe('registering by clone URL', () => {
      it('clones a file:// URL into the data folder', async () => {
        const response = await register({
          clone_url: fileUrl(upstream),
          check_commands: ['npm test'],
          policy: { auto_apply: true },
        });
        assert.equal(response.statusCode, 201, response.body);
        const body = response.json();
        cloneId = body.id;
        const clonePath = path.join(dataDirectory, 'repositories', cloneId);
        assert.equal(body.name, 'upstream');
        assert.equal(body.source, 'clone');
        assert.equal(body.clone_url, fileUrl(upstream));
        assert.equal(body.path, clonePath);
        assert.equal(body.default_branch, 'main');
        assert.equal(body.head_commit, upstreamHead);
        assert.deepEqual(body.check_commands, ['npm test']);
        assert.deepEqual(body.policy, {
          branch_mode: 'per_proposal',
          target_branch: null,
          pull_requests: false,
          auto_apply: true,
          auto_apply_min_confidence: 0.9,
          auto_apply_min_level: 1,
          auto_apply_min_acceptance: 0.5,
          proposal_ttl_seconds: 14 * 24 * 3600,
          guardian_ignore: { rules: [], paths: [] },
          benchmark_command: null,
        });
        assert.ok(body.last_synced_at);
        assert.equal(await gitIn(clonePath, 'rev-parse', 'HEAD'), upstreamHead);
        const [row] = await t.database.orm.select().from(repositories).where(eq(repositories.id, cloneId));
        assert.equal(row?.path, clonePath);
        assert.equal(row?.headCommit, upstreamHead);
        assert.equal(row?.policy.auto_apply, true);
      });

      it('refuses the same URL twice with 409 naming the existing repository', async () => {
        const response = await register({ clone_url: fileUrl(upstream) });
        assert.equal(response.statusCode, 409);
        assert.equal(response.json().code, 'duplicate_repository');
        assert.equal(response.json().repository_id, cloneId);
        assert.deepEqual(await clonesOnDisk(), [cloneId]);
      });

      for (const cloneUrl of [
        'ssh://git@example.com/repo.git',
        'http://example.com/repo.git',
        'git@github.com:owner/repo.git',
        'ext::sh -c touch% /tmp/lvlup-pwned',
        '/srv/code/repo',
        'https://user:secret@example.com/repo.git',
      ]) {
        it(`refuses clone_url ${cloneUrl} with 400`, async () => {
          const before = await rowCount();
          const response = await register({ clone_url: cloneUrl });
          assert.equal(response.statusCode, 400, response.body);
          const body = response.json();
          assert.equal(body.code, 'invalid_clone_url');
          assert.equal(body.errors[0].field, 'body.clone_url');
          assert.ok(!response.body.includes('secret'));
          assert.equal(await rowCount(), before);
        });
      }

      it('recognises the same upstream through a symbolic link', async () => {
        const alias = path.join(roots, 'alias-of-upstream');
        await symlink(upstream, alias);
        const response = await register({ clone_url: fileUrl(alias) });
        assert.equal(response.statusCode, 409);
        assert.equal(response.json().repository_id, cloneId);
      });

      it('refuses a file:// URL outside LVLUP_REPO_ROOTS', async () => {
        const outside = path.join(workspace, 'outside');
        await createRepository(outside, { 'secret.txt': 'secret\n' });
        const response = await register({ clone_url: fileUrl(outside) });
        assert.equal(response.statusCode, 403);
        assert.equal(response.json().code, 'path_not_allowed');
        assert.deepEqual(await clonesOnDisk(), [cloneId]);
      });

      it('answers a failing clone with 422 clone_failed and leaves nothing behind', async () => {
        const notRepository = path.join(roots, 'plain-folder');
        await mkdir(notRepository, { recursive: true });
        await writeFile(path.join(notRepository, 'file.txt'), 'x');
        const before = await rowCount();
        const response = await register({ clone_url: fileUrl(notRepository) });
        assert.equal(response.statusCode, 422, response.body);
        assert.equal(response.json().code, 'clone_failed');
        assert.match(response.json().detail, /git clone failed: .*not appear to be a git repository/);
        assert.equal(await rowCount(), before);
        assert.deepEqual(await clonesOnDisk(), [cloneId]);
      });

      it('answers an unreachable https remote with 422 without leaking the token', async () => {
        const app = await createTestApp(target, {
          environment: {
            LVLUP_DATA_DIR: path.join(workspace, 'data-github'),
            GITHUB_TOKEN: 'ghp_doNotLeakThisToken',
            GITHUB_API_URL: 'https://127.0.0.1:9/api/v3',
            // 127.0.0.1 stands for the GitHub host here; without this lvlup would not connect to it at all.
            LVLUP_OUTBOUND_ALLOW: '127.0.0.1/32',
          },
        });
        try {
          const key = await app.createKey(['repos:write']);
          const response = await app.request({
            method: 'POST',
            url: '/api/v1/repositories',
            key,
            payload: { clone_url: 'https://127.0.0.1:9/owner/private.git' },
          });
          assert.equal(response.statusCode, 422, response.body);
          assert.equal(response.json().code, 'clone_failed');
          assert.ok(!response.body.includes('ghp_doNotLeakThisToken'));
          assert.ok(!app.logText().includes('ghp_doNotLeakThisToken'));
          assert.equal((await app.database.orm.select().from(repositories)).length, 0);
          assert.deepEqual(await readdir(path.join(workspace, 'data-github', 'repositories')), []);
        } finally {
          await app.close();
        }
      });

      it('checks out a requested default branch and refuses an unknown one', async () => {
        const second = path.join(roots, 'second');
        await gitIn(roots, 'clone', '--quiet', '--', upstream, second);
        await gitIn(second, 'branch', '--quiet', 'feature', 'origin/feature');
        const unknown = await register({ clone_url: fileUrl(second), default_branch: 'nope' });
        assert.equal(unknown.statusCode, 400);
        assert.equal(unknown.json().code, 'unknown_branch');
        assert.equal(unknown.json().errors[0].field, 'body.default_branch');
        assert.deepEqual(await clonesOnDisk(), [cloneId]);

        const response = await register({ clone_url: fileUrl(second), default_branch: 'feature', name: 'Second' });
        assert.equal(response.statusCode, 201, response.body);
        const body = response.json();
        assert.equal(body.name, 'Second');
        assert.equal(body.default_branch, 'feature');
        assert.equal(body.head_commit, featureHead);
        const removed = await t.request({ method: 'DELETE', url: `/api/v1/repositories/${body.id}`, key: writerKey });
        assert.equal(removed.statusCode, 200);
      });

      it('validates the body: exactly one source, valid branch and commands', async () => {
        for (const payload of [
          {},
          { clone_url: fileUrl(upstream), path: upstream },
          { clone_url: fileUrl(upstream), default_branch: '-evil' },
          { clone_url: fileUrl(upstream), check_commands: [''] },
          { clone_url: fileUrl(upstream), check_commands: Array.from({ length: 21 }, () => 'npm test') },
          { clone_url: fileUrl(upstream), policy: { auto_apply_min_confidence: 1.5 } },
        ]) {
          const response = await register(payload);
          assert.equal(response.statusCode, 400, JSON.stringify(payload));
          assert.equal(response.json().code, 'validation_failed');
        }
      });
    });

    describe('registering a local path', () => {
      it('needs the admin scope', async () => {
        const response = await register({ path: local });
        assert.equal(response.statusCode, 403);
        assert.match(response.json().detail, /admin scope/);
      });

      it('registers a work tree under LVLUP_REPO_ROOTS in place', async () => {
        const response = await register({ path: local }, t.adminKey);
        assert.equal(response.statusCode, 201, response.body);
        const body = response.json();
        localId = body.id;
        assert.equal(body.source, 'path');
        assert.equal(body.path, local);
        assert.equal(body.clone_url, null);
        assert.equal(body.name, 'local');
        assert.equal(body.default_branch, 'main');
        assert.equal(body.head_commit, localHead);
        assert.equal(body.last_synced_at, null);
        assert.equal(await readFile(path.join(local, 'README.md'), 'utf8'), 'uncommitted edit\n');
      });

      it('refuses the same folder again, also through a symbolic link', async () => {
        const alias = path.join(roots, 'alias-of-local');
        await symlink(local, alias);
        for (const requested of [local, `${local}/`, alias]) {
          const response = await register({ path: requested }, t.adminKey);
          assert.equal(response.statusCode, 409, requested);
          assert.equal(response.json().code, 'duplicate_repository');
          assert.equal(response.json().repository_id, localId);
        }
      });

      it('refuses folders outside the roots, also through a symbolic link', async () => {
        const outside = path.join(workspace, 'elsewhere');
        await createRepository(outside, { 'a.txt': 'a\n' });
        const sneaky = path.join(roots, 'sneaky');
        await symlink(outside, sneaky);
        for (const requested of [outside, sneaky, `${roots}/../elsewhere`, '/etc']) {
          const response = await register({ path: requested }, t.adminKey);
          assert.equal(response.statusCode, 403, requested);
          assert.equal(response.json().code, 'path_not_allowed');
          assert.equal(response.json().errors[0].field, 'body.path');
        }
      });

      it('refuses what is not the top of a git work tree', async () => {
        for (const requested of [
          path.join(roots, 'plain-folder'),
          path.join(local, 'lib'),
          path.join(roots, 'missing'),
          'relative/path',
        ]) {
          const response = await register({ path: requested }, t.adminKey);
          assert.equal(response.statusCode, 400, requested);
          assert.equal(response.json().code, 'not_a_repository');
        }
      });

      it('is disabled when LVLUP_REPO_ROOTS is empty', async () => {
        const app = await createTestApp(target, { environment: { LVLUP_DATA_DIR: path.join(workspace, 'data-2') } });
        try {
          for (const payload of [{ path: local }, { clone_url: fileUrl(upstream) }]) {
            const response = await app.request({
              method: 'POST',
              url: '/api/v1/repositories',
              key: app.adminKey,
              payload,
            });
            assert.equal(response.statusCode, 403);
            assert.equal(response.json().code, 'local_paths_disabled');
          }
        } finally {
          await app.close();
        }
      });
    });

    describe('listing, reading and changing', () => {
      it('lists with X-Total-Count and pages', async () => {
        const all = await t.request({ method: 'GET', url: '/api/v1/repositories', key: readerKey });
        assert.equal(all.statusCode, 200);
        assert.equal(all.headers['x-total-count'], '2');
        assert.deepEqual(
          all.json<{ id: string }[]>().map((repository) => repository.id),
          [cloneId, localId],
        );
        const page = await t.request({ method: 'GET', url: '/api/v1/repositories?limit=1&skip=1', key: readerKey });
        assert.equal(page.headers['x-total-count'], '2');
        assert.deepEqual(
          page.json<{ id: string }[]>().map((repository) => repository.id),
          [localId],
        );
      });

      it('gets one, 404 for an unknown id', async () => {
        const one = await t.request({ method: 'GET', url: `/api/v1/repositories/${cloneId}`, key: readerKey });
        assert.equal(one.statusCode, 200);
        assert.equal(one.json().id, cloneId);
        const missing = await t.request({
          method: 'GET',
          url: '/api/v1/repositories/00000000-0000-4000-8000-000000000000',
          key: readerKey,
        });
        assert.equal(missing.statusCode, 404);
        assert.equal(missing.json().code, 'repository_not_found');
      });

      it('needs repos:write to change', async () => {
        const response = await t.request({
          method: 'PATCH',
          url: `/api/v1/repositories/${cloneId}`,
          key: readerKey,
          payload: { name: 'x' },
        });
        assert.equal(response.statusCode, 403);
      });

      it('merges a policy change and replaces name and check commands', async () => {
        const response = await t.request({
          method: 'PATCH',
          url: `/api/v1/repositories/${cloneId}`,
          key: writerKey,
          payload: {
            name: 'Upstream',
            check_commands: ['npm ci', 'npm test'],
            policy: { branch_mode: 'target', target_branch: 'lvlup/changes', proposal_ttl_seconds: null },
          },
        });
        assert.equal(response.statusCode, 200, response.body);
        const body = response.json();
        assert.equal(body.name, 'Upstream');
        assert.deepEqual(body.check_commands, ['npm ci', 'npm test']);
        assert.deepEqual(body.policy, {
          branch_mode: 'target',
          target_branch: 'lvlup/changes',
          pull_requests: false,
          auto_apply: true,
          auto_apply_min_confidence: 0.9,
          auto_apply_min_level: 1,
          auto_apply_min_acceptance: 0.5,
          proposal_ttl_seconds: null,
          guardian_ignore: { rules: [], paths: [] },
          benchmark_command: null,
        });
        const [row] = await t.database.orm.select().from(repositories).where(eq(repositories.id, cloneId));
        assert.equal(row?.name, 'Upstream');
        assert.equal(row?.policy.branch_mode, 'target');
        assert.equal(row?.policy.auto_apply, true);
      });

      it('refuses a bad policy with the field path, changing nothing', async () => {
        for (const [policy, field] of [
          [{ auto_apply_min_confidence: 2 }, 'body.policy.auto_apply_min_confidence'],
          [{ branch_mode: 'sideways' }, 'body.policy.branch_mode'],
          [{ target_branch: 'bad..name' }, 'body.policy.target_branch'],
          // git's own rule (`git check-ref-format --branch HEAD` fails): refused here, not at apply time
          [{ target_branch: 'HEAD' }, 'body.policy.target_branch'],
          [{ target_branch: 'main\u202e' }, 'body.policy.target_branch'],
          [{ proposal_ttl_seconds: 1.5 }, 'body.policy.proposal_ttl_seconds'],
          [{ surprise: true }, 'body.policy'],
        ] as const) {
          const response = await t.request({
            method: 'PATCH',
            url: `/api/v1/repositories/${cloneId}`,
            key: writerKey,
            payload: { policy },
          });
          assert.equal(response.statusCode, 400, JSON.stringify(policy));
          assert.ok(
            response.json<Problem>().errors.some((error) => error.field === field),
            `${JSON.stringify(response.json().errors)} lacks ${field}`,
          );
        }
        const [row] = await t.database.orm.select().from(repositories).where(eq(repositories.id, cloneId));
        assert.equal(row?.policy.auto_apply_min_confidence, 0.9);
        assert.equal(row?.policy.branch_mode, 'target');
      });

      it('refuses an empty change and too many check commands', async () => {
        for (const payload of [{}, { check_commands: Array.from({ length: 21 }, () => 'make') }, { name: '' }]) {
          const response = await t.request({
            method: 'PATCH',
            url: `/api/v1/repositories/${cloneId}`,
            key: writerKey,
            payload,
          });
          assert.equal(response.statusCode, 400, JSON.stringify(payload));
        }
      });

      it("changes the default branch to one of origin's, refusing an unknown one", async () => {
        const unknown = await t.request({
          method: 'PATCH',
          url: `/api/v1/repositories/${cloneId}`,
          key: writerKey,
          payload: { default_branch: 'nope' },
        });
        assert.equal(unknown.statusCode, 400);
        assert.equal(unknown.json().code, 'unknown_branch');
        const feature = await t.request({
          method: 'PATCH',
          url: `/api/v1/repositories/${cloneId}`,
          key: writerKey,
          payload: { default_branch: 'feature' },
        });
        assert.equal(feature.statusCode, 200, feature.body);
        assert.equal(feature.json().default_branch, 'feature');
        assert.equal(feature.json().head_commit, featureHead);
        const back = await t.request({
          method: 'PATCH',
          url: `/api/v1/repositories/${cloneId}`,
          key: writerKey,
          payload: { default_branch: 'main' },
        });
        assert.equal(back.json().head_commit, upstreamHead);
      });

      it('refuses a branch a registered folder does not have', async () => {
        const response = await t.request({
          method: 'PATCH',
          url: `/api/v1/repositories/${localId}`,
          key: writerKey,
          payload: { default_branch: 'feature' },
        });
        assert.equal(response.statusCode, 400);
        assert.equal(response.json().code, 'unknown_branch');
      });
    });

    describe('browsing committed content', () => {
      it('lists the root and a directory with types and sizes', async () => {
        const root = await browse(cloneId, 'tree', {});
        assert.equal(root.statusCode, 200, root.body);
        const body = root.json();
        assert.equal(body.path, '');
        assert.equal(body.ref, 'main');
        assert.equal(body.commit, upstreamHead);
        assert.deepEqual(body.entries, [
          { name: 'README.md', path: 'README.md', type: 'file', size: 20 },
          { name: 'big.txt', path: 'big.txt', type: 'file', size: BIG.length },
          { name: 'data.bin', path: 'data.bin', type: 'file', size: BINARY.length },
          { name: 'linked-src', path: 'linked-src', type: 'symlink' },
          { name: 'passwd', path: 'passwd', type: 'symlink' },
          { name: 'src', path: 'src', type: 'directory' },
        ]);
        const source = await browse(cloneId, 'tree', { path: 'src' });
        assert.deepEqual(
          source.json<Tree>().entries.map((entry) => [entry.path, entry.type]),
          [
            ['src/app.ts', 'file'],
            ['src/nested', 'directory'],
          ],
        );
      });

      it('browses another branch by ref, including an origin-only one', async () => {
        const response = await browse(cloneId, 'tree', { ref: 'feature' });
        assert.equal(response.statusCode, 200, response.body);
        assert.equal(response.json().commit, featureHead);
        assert.ok(response.json<Tree>().entries.some((entry) => entry.name === 'feature.txt'));
        const file = await browse(cloneId, 'file', { path: 'feature.txt', ref: featureHead });
        assert.equal(file.json().content, 'only on feature\n');
        const old = await browse(cloneId, 'file', { path: 'feature.txt', ref: 'main' });
        assert.equal(old.statusCode, 404);
      });

      it('serves text and binary files with size and sha256', async () => {
        const text = await browse(cloneId, 'file', { path: 'src/app.ts' });
        assert.equal(text.statusCode, 200, text.body);
        assert.deepEqual(text.json(), {
          path: 'src/app.ts',
          ref: 'main',
          commit: upstreamHead,
          size: 26,
          sha256: createHash('sha256').update('export const answer = 42;\n').digest('hex'),
          encoding: 'utf8',
          content: 'export const answer = 42;\n',
        });
        const binary = await browse(cloneId, 'file', { path: 'data.bin' });
        assert.equal(binary.json().encoding, 'base64');
        assert.deepEqual(Buffer.from(binary.json().content, 'base64'), BINARY);
        assert.equal(binary.json().sha256, createHash('sha256').update(BINARY).digest('hex'));
      });

      it('answers 413 for files over 1 MiB and 404 for what is not there', async () => {
        const big = await browse(cloneId, 'file', { path: 'big.txt' });
        assert.equal(big.statusCode, 413);
        assert.equal(big.json().code, 'file_too_large');
        for (const query of [
          { path: 'missing.txt' } as Record<string, string>,
          { path: 'src' },
          { path: 'src/app.ts', ref: 'no-such-branch' },
        ]) {
          const response = await browse(cloneId, 'file', query);
          assert.equal(response.statusCode, 404, JSON.stringify(query));
        }
        assert.equal((await browse(cloneId, 'tree', { path: 'nowhere' })).statusCode, 404);
        assert.equal((await browse(cloneId, 'tree', { path: 'README.md' })).statusCode, 404);
      });

      it('shows a registered folder as committed, not its uncommitted edits', async () => {
        const readme = await browse(localId, 'file', { path: 'README.md' });
        assert.equal(readme.statusCode, 200);
        assert.equal(readme.json().content, 'committed\n');
        assert.equal((await browse(localId, 'file', { path: 'untracked.txt' })).statusCode, 404);
        const tree = await browse(localId, 'tree', {});
        assert.deepEqual(
          tree.json<Tree>().entries.map((entry) => entry.name),
          ['README.md', 'lib'],
        );
      });

      // The symbolic links are committed in the clone only.
      for (const [requested, reason, inLocalFolder] of [
        ['../../etc/passwd', '..', true],
        ['/etc/passwd', 'absolute', true],
        ['.git/config', '.git', true],
        ['src/../../../etc/passwd', '..', true],
        ['passwd', 'symbolic link', false],
        ['linked-src/app.ts', 'symbolic link', false],
        ['a\0b', 'NUL', true],
        ['C:\\Windows\\win.ini', 'absolute', true],
      ] as const) {
        it(`refuses ${JSON.stringify(requested)} with 400 and reads nothing`, async () => {
          for (const kind of ['file', 'tree'] as const) {
            for (const id of inLocalFolder ? [cloneId, localId] : [cloneId]) {
              const response = await browse(id, kind, { path: requested });
              assert.equal(response.statusCode, 400, `${kind} ${id} ${response.body}`);
              const body = response.json();
              // NUL is refused for every field before any route runs (docs/problems.md), the rest by the resolver
              assert.equal(body.code, requested.includes('\0') ? 'validation_failed' : 'unsafe_path');
              assert.equal(body.errors[0].field, 'querystring.path');
              const message = String(body.errors[0].message);
              assert.ok(message.includes(reason), message);
              assert.ok(!response.body.includes('root:'), 'no /etc/passwd content');
            }
          }
        });
      }

      it('refuses refs that could be read as options', async () => {
        for (const ref of ['--output=/tmp/x', 'main..feature', 'main feature', 'main@{upstream}', 'HEAD:README.md']) {
          const response = await browse(cloneId, 'file', { path: 'README.md', ref });
          assert.equal(response.statusCode, 400, ref);
          assert.equal(response.json().errors[0].field, 'querystring.ref');
        }
      });

      it('needs repos:read', async () => {
        const key = await t.createKey(['proposals:read']);
        assert.equal((await browse(cloneId, 'file', { path: 'README.md' }, key)).statusCode, 403);
        assert.equal((await browse(cloneId, 'tree', {}, key)).statusCode, 403);
      });
    });

    describe('syncing', () => {
      const sync = (id: string) =>
        t.request({ method: 'POST', url: `/api/v1/repositories/${id}/sync`, key: writerKey });

      it('fast-forwards a clone to a new upstream commit', async () => {
        const before = (
          await t.request({ method: 'GET', url: `/api/v1/repositories/${cloneId}`, key: readerKey })
        ).json();
        const next = await commitFiles(upstream, { 'src/app.ts': 'export const answer = 43;\n' }, 'upstream moves');
        const response = await sync(cloneId);
        assert.equal(response.statusCode, 200, response.body);
        assert.equal(response.json().head_commit, next);
        assert.ok(Date.parse(response.json().last_synced_at) >= Date.parse(before.last_synced_at));
        const [row] = await t.database.orm.select().from(repositories).where(eq(repositories.id, cloneId));
        assert.equal(row?.headCommit, next);
        const clonePath = path.join(dataDirectory, 'repositories', cloneId);
        assert.equal(await gitIn(clonePath, 'rev-parse', 'main'), next);
        assert.equal(await gitIn(clonePath, 'status', '--porcelain'), '', 'the clone is clean');
        const file = await browse(cloneId, 'file', { path: 'src/app.ts' });
        assert.equal(file.json().content, 'export const answer = 43;\n');
        upstreamHead = next;
      });

      it('refuses with 409 diverged when upstream rewrote its history', async () => {
        await writeFile(path.join(upstream, 'src/app.ts'), 'export const answer = 44;\n');
        await gitIn(upstream, 'commit', '--quiet', '--all', '--amend', '--message', 'rewritten');
        const response = await sync(cloneId);
        assert.equal(response.statusCode, 409, response.body);
        assert.equal(response.json().code, 'diverged');
        const [row] = await t.database.orm.select().from(repositories).where(eq(repositories.id, cloneId));
        assert.equal(row?.headCommit, upstreamHead);
        assert.equal(await gitIn(path.join(dataDirectory, 'repositories', cloneId), 'rev-parse', 'main'), upstreamHead);
      });

      it("refreshes a registered folder's head without touching its files", async () => {
        const next = await commitFiles(local, { 'lib/index.js': 'module.exports = 2;\n' }, 'local work');
        await writeFile(path.join(local, 'README.md'), 'uncommitted edit\n');
        const response = await sync(localId);
        assert.equal(response.statusCode, 200, response.body);
        assert.equal(response.json().head_commit, next);
        assert.ok(response.json().last_synced_at);
        assert.equal(await readFile(path.join(local, 'README.md'), 'utf8'), 'uncommitted edit\n');
        localHead = next;
      });

      it('needs repos:write and an existing repository', async () => {
        const denied = await t.request({ method: 'POST', url: `/api/v1/repositories/${cloneId}/sync`, key: readerKey });
        assert.equal(denied.statusCode, 403);
        assert.equal((await sync('00000000-0000-4000-8000-000000000000')).statusCode, 404);
      });
    });

    describe('deleting', () => {
      it('answers 409 repository_unavailable when a registered folder vanished, and still deletes it', async () => {
        const vanishing = path.join(roots, 'vanishing');
        await createRepository(vanishing, { 'a.txt': 'a\n' });
        const created = await register({ path: vanishing }, t.adminKey);
        assert.equal(created.statusCode, 201, created.body);
        const id = created.json<{ id: string }>().id;
        await rm(path.join(vanishing, '.git'), { recursive: true });
        for (const response of [
          await browse(id, 'tree', {}),
          await browse(id, 'file', { path: 'a.txt' }),
          await t.request({ method: 'POST', url: `/api/v1/repositories/${id}/sync`, key: writerKey }),
        ]) {
          assert.equal(response.statusCode, 409, response.body);
          assert.equal(response.json().code, 'repository_unavailable');
        }
        const removed = await t.request({ method: 'DELETE', url: `/api/v1/repositories/${id}`, key: writerKey });
        assert.equal(removed.statusCode, 200);
        assert.equal(await readFile(path.join(vanishing, 'a.txt'), 'utf8'), 'a\n');
      });

      it("removes a registered path's row and proposals, never its files", async () => {
        const [proposal] = await t.database.orm
          .insert(proposals)
          .values({
            aiType: 'guardian',
            repositoryId: localId,
            filePath: 'README.md',
            changes: [],
            diff: '',
            hunks: 0,
            additions: 0,
            deletions: 0,
            contentHash: randomBytes(16).toString('hex'),
          })
          .returning();
        const response = await t.request({ method: 'DELETE', url: `/api/v1/repositories/${localId}`, key: writerKey });
        assert.equal(response.statusCode, 200, response.body);
        assert.equal(response.json().id, localId);
        assert.equal((await t.database.orm.select().from(repositories).where(eq(repositories.id, localId))).length, 0);
        assert.equal((await t.database.orm.select().from(proposals).where(eq(proposals.id, proposal!.id))).length, 0);
        assert.equal(await readFile(path.join(local, 'README.md'), 'utf8'), 'uncommitted edit\n');
        assert.equal(await readFile(path.join(local, 'untracked.txt'), 'utf8'), 'not committed at all\n');
        assert.equal(await gitIn(local, 'rev-parse', 'HEAD'), localHead);
      });

      it("removes a clone's row and its folder in the data folder", async () => {
        const clonePath = path.join(dataDirectory, 'repositories', cloneId);
        assert.ok(existsSync(clonePath));
        const response = await t.request({ method: 'DELETE', url: `/api/v1/repositories/${cloneId}`, key: writerKey });
        assert.equal(response.statusCode, 200, response.body);
        assert.ok(!existsSync(clonePath));
        assert.equal(await rowCount(), 0);
        assert.ok(existsSync(path.join(upstream, '.git')), 'the upstream is untouched');
        const again = await t.request({ method: 'DELETE', url: `/api/v1/repositories/${cloneId}`, key: writerKey });
        assert.equal(again.statusCode, 404);
      });
    });
  });
}
