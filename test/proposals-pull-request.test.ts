import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repositories } from '../src/db/schema.js';
import { DEFAULT_REPOSITORY_POLICY } from '../src/repositories/policy.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { startFakeGitHub, type FakeGitHub } from './support/fake-github.js';
import { createGitFixture, type GitFixture } from './support/git-fixture.js';

const TOKEN = 'ghs_test_token_0123456789';

for (const target of databaseTargets()) {
  describe(`pull requests for applied proposals on ${target}`, () => {
    let t: TestApp;
    let github: FakeGitHub;
    let gitRoot: string;
    let repo: GitFixture;
    let repositoryId: string;

    before(async () => {
      gitRoot = mkdtempSync(path.join(os.tmpdir(), 'lvlup-fake-github-'));
      mkdirSync(path.join(gitRoot, 'acme'));
      execFileSync('git', ['init', '-q', '--bare', '-b', 'main', path.join(gitRoot, 'acme', 'widgets.git')]);
      github = await startFakeGitHub({ gitRoot, token: TOKEN });
      repo = createGitFixture({ 'widget.js': 'export const size = 1;\n' });
      repo.git('remote', 'add', 'origin', `${github.url}/acme/widgets.git`);
      t = await createTestApp(target, { environment: { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.apiUrl } });
      const [row] = await t.database.orm
        .insert(repositories)
        .values({
          name: 'widgets',
          source: 'path',
          path: repo.path,
          defaultBranch: 'main',
          policy: { ...DEFAULT_REPOSITORY_POLICY, pull_requests: true },
        })
        .returning();
      repositoryId = row!.id;
    });
    after(async () => {
      await t.close();
      await github.close();
      repo.remove();
      rmSync(gitRoot, { recursive: true, force: true });
    });

    it('pushes the branch and opens a pull request, storing its URL', async () => {
      const created = await t.request({
        method: 'POST',
        url: '/proposals/',
        key: t.adminKey,
        payload: {
          ai_type: 'imperium',
          repository_id: repositoryId,
          file_path: 'widget.js',
          code_before: 'export const size = 1;\n',
          code_after: 'export const size = 2;\n',
          description: 'Bigger widgets',
          rationale: 'Customers asked for it.',
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      await t.request({
        method: 'POST',
        url: `/proposals/${id}/accept`,
        key: t.adminKey,
        payload: { reason: 'valuable' },
      });
      const applied = await t.request({ method: 'POST', url: `/proposals/${id}/apply`, key: t.adminKey });
      assert.equal(applied.statusCode, 200, applied.body);
      const body = applied.json();
      assert.equal(body.pull_request_error, null);
      assert.equal(body.pull_request_url, `${github.url}/acme/widgets/pull/1`);
      const branch = `lvlup/${id.slice(0, 8)}`;
      assert.deepEqual(github.pullRequests, [
        {
          owner: 'acme',
          repo: 'widgets',
          head: branch,
          base: 'main',
          title: 'Bigger widgets',
          body: `Customers asked for it.\n\nProposed by lvlup (imperium), proposal ${id}.`,
        },
      ]);
      const remoteTip = execFileSync('git', ['rev-parse', `refs/heads/${branch}`], {
        cwd: path.join(gitRoot, 'acme', 'widgets.git'),
        encoding: 'utf8',
      }).trim();
      assert.equal(remoteTip, body.applied_commit);
      // the token is in no configuration of the user's repository
      assert.doesNotMatch(repo.git('config', '--list', '--local'), /ghs_test_token|x-access-token/);
    });
  });
}
