import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { proposals, repositories } from '../src/db/schema.js';
import type { TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { commitFiles, createRepository, gitIn } from './support/repository-fixtures.js';
import { BIG, BINARY, fileUrl, useRepositoriesApi, type Problem, type Tree } from './support/repositories-api.js';

for (const target of databaseTargets()) {
  describe(`reading, changing, syncing and deleting repositories on ${target}`, () => {
    const api = useRepositoriesApi(target);
    const { rowCount, register, browse } = api;
    let t: TestApp;
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
    // A clone (with a check command and a policy) and a registered folder, in that order.
    before(async () => {
      ({ t, roots, dataDirectory, upstream, upstreamHead, featureHead, local, localHead, writerKey, readerKey } = api);
      const clone = await register({
        clone_url: fileUrl(upstream),
        check_commands: ['npm test'],
        policy: { auto_apply: true },
      });
      assert.equal(clone.statusCode, 201, clone.body);
      cloneId = clone.json<{ id: string }>().id;
      const folder = await register({ path: local }, t.adminKey);
      assert.equal(folder.statusCode, 201, folder.body);
      localId = folder.json<{ id: string }>().id;
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
