import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { proposals, repositories } from '../src/db/schema.js';
import type { DomainEvent } from '../src/events/bus.js';
import { expireProposals } from '../src/proposals/expiry-queries.js';
import { DEFAULT_REPOSITORY_POLICY } from '../src/repositories/policy.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { createGitFixture, type GitFixture } from './support/git-fixture.js';

const SERVICE = [
  'export function total(items) {',
  '  let sum = 0;',
  '  for (const item of items) sum += item;',
  '  return sum;',
  '}',
  '',
].join('\n');
const LIMITS = [
  'export const limits = [',
  '  1,',
  '  2,',
  '  3,',
  '  4,',
  '  5,',
  '  6,',
  '  7,',
  '  8,',
  '  9,',
  '];',
  '',
].join('\n');

for (const target of databaseTargets()) {
  describe(`repository proposals on ${target}`, () => {
    let t: TestApp;
    let repo: GitFixture;
    let repositoryId: string;
    let key: string;
    const events: DomainEvent[] = [];

    before(async () => {
      t = await createTestApp(target);
      t.app.services.events.subscribe((event) => events.push(event));
      key = await t.createKey(['proposals:write', 'proposals:read']);
      repo = createGitFixture({ 'src/service.js': SERVICE, 'src/limits.js': LIMITS, 'README.md': '# demo\n' });
      symlinkSync('/etc', path.join(repo.path, 'etc-link'));
      repo.commit('add a symlink that leaves the tree');
      const [row] = await t.database.orm
        .insert(repositories)
        .values({
          name: 'demo',
          source: 'path',
          path: repo.path,
          defaultBranch: 'main',
          policy: { ...DEFAULT_REPOSITORY_POLICY, proposal_ttl_seconds: 3600 },
        })
        .returning();
      repositoryId = row!.id;
    });
    after(async () => {
      await t.close();
      repo.remove();
    });

    const create = (payload: Record<string, unknown>) =>
      t.request({
        method: 'POST',
        url: '/proposals/',
        key,
        payload: { ai_type: 'imperium', repository_id: repositoryId, ...payload },
      });

    it('records the base commit and refuses a stale code_before with 409', async () => {
      const head = repo.git('rev-parse', 'HEAD');
      const ok = await create({
        file_path: 'src/service.js',
        code_before: SERVICE,
        code_after: SERVICE.replace('let sum', 'let total'),
      });
      assert.equal(ok.statusCode, 201, ok.body);
      assert.equal(ok.json().base_commit, head);
      assert.ok(ok.json().expires_at);

      const stale = await create({
        file_path: 'src/service.js',
        code_before: SERVICE.replace('sum', 'other'),
        code_after: SERVICE,
      });
      assert.equal(stale.statusCode, 409);
      assert.equal(stale.json().code, 'stale');
      assert.equal(stale.json().file_path, 'src/service.js');

      // uncommitted edits in the work tree are not HEAD
      repo.write('README.md', '# edited but not committed\n');
      const uncommitted = await create({
        file_path: 'README.md',
        code_before: '# edited but not committed\n',
        code_after: '# x\n',
      });
      assert.equal(uncommitted.statusCode, 409);
    });

    it('creates a new file with a /dev/null diff, and refuses one that exists', async () => {
      const created = await create({ file_path: 'src/new.js', code_before: '', code_after: 'export {};\n' });
      assert.equal(created.statusCode, 201, created.body);
      assert.match(created.json().diff, /^--- \/dev\/null\n\+\+\+ b\/src\/new\.js/m);
      const exists = await create({ file_path: 'README.md', code_before: '', code_after: 'x\n' });
      assert.equal(exists.statusCode, 409);
    });

    it('takes a unified patch against HEAD and refuses one that does not apply', async () => {
      const patch = [
        '--- a/src/service.js',
        '+++ b/src/service.js',
        '@@ -1,5 +1,5 @@',
        ' export function total(items) {',
        '   let sum = 0;',
        '-  for (const item of items) sum += item;',
        '+  for (const value of items) sum += value;',
        '   return sum;',
        ' }',
        '',
      ].join('\n');
      const response = await create({ patch, rule_id: 'rename-loop-variable' });
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(
        response.json().code_after,
        SERVICE.replace('const item of items) sum += item', 'const value of items) sum += value'),
      );
      const broken = await create({ patch: patch.replace('let sum = 0;', 'let sum = 1;') });
      assert.equal(broken.statusCode, 409);
      assert.equal(broken.json().code, 'stale');
      const garbage = await create({ patch: 'this is not a diff' });
      assert.equal(garbage.statusCode, 400);
    });

    it('refuses paths through a symlink that leaves the tree, into .git, or outside', async () => {
      for (const file_path of ['etc-link/passwd', '.git/config', '../../etc/passwd', '/etc/passwd']) {
        const response = await create({ file_path, code_before: '', code_after: 'x\n' });
        assert.equal(response.statusCode, 400, `${file_path}: ${response.body}`);
        assert.equal(response.json().code, 'unsafe_path');
      }
    });

    it('refuses patches of symbolic links, submodules, modes and binaries with 422 unsupported_patch', async () => {
      const header = (name: string, lines: string[]) => [`diff --git a/${name} b/${name}`, ...lines].join('\n') + '\n';
      const newFile = (name: string, mode: string, line: string) =>
        header(name, [
          `new file mode ${mode}`,
          'index 0000000..1111111',
          '--- /dev/null',
          `+++ b/${name}`,
          '@@ -0,0 +1 @@',
          `+${line}`,
        ]);
      const cases: [string, string, RegExp][] = [
        ['a symbolic link', newFile('passwd-link', '120000', '/etc/passwd'), /symbolic links \(mode 120000\)/],
        [
          'a submodule',
          newFile('vendor/lib', '160000', 'Subproject commit 0123456789abcdef0123456789abcdef01234567'),
          /submodules \(mode 160000\)/,
        ],
        ['an executable', newFile('run.sh', '100755', 'echo hi'), /executable files \(mode 100755\)/],
        ['a mode change', header('README.md', ['old mode 100644', 'new mode 100755']), /mode 100755|mode changes/],
        [
          'a binary',
          header('README.md', ['index 1111111..2222222 100644', 'Binary files a/README.md and b/README.md differ']),
          /binary/,
        ],
        [
          'a copy',
          header('README.md', ['similarity index 100%', 'copy from README.md', 'copy to COPY.md']),
          /Copying|Renaming|without hunks/,
        ],
      ];
      for (const [what, patch, detail] of cases) {
        const response = await create({ patch });
        assert.equal(response.statusCode, 422, `${what}: ${response.body}`);
        assert.equal(response.json().code, 'unsupported_patch', what);
        assert.match(response.json().detail, detail, what);
      }
      // a regular new file in git's format still works
      const regular = await create({ patch: newFile('docs/new.md', '100644', '# new') });
      assert.equal(regular.statusCode, 201, regular.body);
      assert.equal(regular.json().code_after, '# new\n');
    });

    it('refuses a new file where HEAD has a file, directory, submodule or a file along the path', async () => {
      repo.git('update-index', '--add', '--cacheinfo', `160000,${repo.git('rev-parse', 'HEAD')},vendor/lib`);
      repo.git('commit', '-q', '-m', 'add a submodule');
      const cases: [Record<string, unknown>, { path: string; type: string }][] = [
        [
          { file_path: 'src', code_before: '', code_after: 'x\n' },
          { path: 'src', type: 'directory' },
        ],
        [
          { file_path: 'vendor/lib', code_before: '', code_after: 'x\n' },
          { path: 'vendor/lib', type: 'submodule' },
        ],
        [
          { file_path: 'README.md/inner.txt', code_before: '', code_after: 'x\n' },
          { path: 'README.md', type: 'file' },
        ],
        [{ patch: '--- /dev/null\n+++ b/README.md\n@@ -0,0 +1 @@\n+replaced\n' }, { path: 'README.md', type: 'file' }],
        [{ patch: '--- /dev/null\n+++ b/src\n@@ -0,0 +1 @@\n+x\n' }, { path: 'src', type: 'directory' }],
      ];
      for (const [payload, occupant] of cases) {
        const response = await create(payload);
        assert.equal(response.statusCode, 409, `${JSON.stringify(payload)}: ${response.body}`);
        assert.equal(response.json().code, 'stale');
        assert.deepEqual(response.json().occupied_by, occupant);
      }
    });

    it('refuses directory paths and paths with invisible or bidirectional characters', async () => {
      const freeStanding = (payload: Record<string, unknown>) =>
        t.request({ method: 'POST', url: '/proposals/', key, payload: { ai_type: 'imperium', ...payload } });
      const paths = [
        'src/',
        'src/.',
        'src\\',
        'src/ser\u200bvice.js',
        'src/\u202eevil.js',
        'a\u2066b\u2069.js',
        '\ufeffx.js',
      ];
      for (const file_path of paths) {
        for (const send of [create, freeStanding]) {
          const response = await send({ file_path, code_before: '', code_after: 'x\n' });
          assert.equal(response.statusCode, 400, `${JSON.stringify(file_path)}: ${response.body}`);
          assert.equal(response.json().code, 'unsafe_path');
          assert.equal(response.json().errors[0].field, 'file_path');
        }
      }
      const hidden = await create({
        patch:
          '--- a/src/service.js\u200b\n+++ b/src/service.js\u200b\n@@ -1 +1 @@\n-export function total(items) {\n+export function sum(items) {\n',
      });
      assert.equal(hidden.statusCode, 400, hidden.body);
      assert.equal(hidden.json().code, 'unsafe_path');
      const directory = await create({ patch: '--- /dev/null\n+++ b/lib/\n@@ -0,0 +1 @@\n+x\n' });
      assert.equal(directory.statusCode, 400, directory.body);
      assert.equal(directory.json().code, 'unsafe_path');
    });

    it('supersedes an older open proposal of the same agent and rule on the same lines only', async () => {
      const older = await create({
        file_path: 'src/limits.js',
        code_before: LIMITS,
        code_after: LIMITS.replace('  2,', '  20,'),
        rule_id: 'bump',
      });
      assert.equal(older.statusCode, 201, older.body);
      const elsewhere = await create({
        file_path: 'src/limits.js',
        code_before: LIMITS,
        code_after: LIMITS.replace('  9,', '  90,'),
        rule_id: 'bump',
      });
      assert.equal(elsewhere.statusCode, 201);
      const newer = await create({
        file_path: 'src/limits.js',
        code_before: LIMITS,
        code_after: LIMITS.replace('  2,', '  200,'),
        rule_id: 'bump',
      });
      assert.equal(newer.statusCode, 201);
      const olderNow = (await t.request({ method: 'GET', url: `/proposals/${older.json().id}`, key })).json();
      assert.equal(olderNow.status, 'superseded');
      assert.equal(olderNow.superseded_by, newer.json().id);
      assert.deepEqual(olderNow.history.at(-1).to, 'superseded');
      const elsewhereNow = (await t.request({ method: 'GET', url: `/proposals/${elsewhere.json().id}`, key })).json();
      assert.equal(elsewhereNow.status, 'pending');
      assert.ok(events.some((event) => event.type === 'proposal.superseded' && event.data.id === older.json().id));
      // the superseded change may be proposed again
      const again = await create({
        file_path: 'src/limits.js',
        code_before: LIMITS,
        code_after: LIMITS.replace('  2,', '  20,'),
        rule_id: 'other-rule',
      });
      assert.equal(again.statusCode, 201, again.body);
    });

    it('expires open proposals after the repository TTL', async () => {
      const proposal = (
        await create({
          file_path: 'src/service.js',
          code_before: SERVICE,
          code_after: SERVICE.replace('return sum', 'return sum + 0'),
        })
      ).json();
      const notYet = await expireProposals(t.database.orm, new Date(Date.now() + 1000));
      assert.ok(!notYet.some((expired) => expired.id === proposal.id));
      const expired = await expireProposals(t.database.orm, new Date(Date.now() + 3601 * 1000));
      assert.ok(expired.some((entry) => entry.id === proposal.id));
      const [stored] = await t.database.orm.select().from(proposals).where(eq(proposals.id, proposal.id));
      assert.equal(stored?.status, 'expired');
      const accept = await t.request({
        method: 'POST',
        url: `/proposals/${proposal.id}/accept`,
        key,
        payload: { reason: 'correct' },
      });
      assert.equal(accept.statusCode, 409);
      assert.equal(accept.json().current_status, 'expired');
    });
  });
}
