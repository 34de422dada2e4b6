import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { repositories } from '../src/db/schema.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { createRepository, gitIn } from './support/repository-fixtures.js';
import { fileUrl, useRepositoriesApi } from './support/repositories-api.js';

for (const target of databaseTargets()) {
  describe(`registering repositories on ${target}`, () => {
    const api = useRepositoriesApi(target);
    const { rowCount, clonesOnDisk, register } = api;
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
    let cloneId: string;
    let localId: string;
    before(() => {
      ({ t, workspace, roots, dataDirectory, upstream, upstreamHead, featureHead, local, localHead, writerKey } = api);
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
  });
}
