import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { chmod, mkdir, mkdtemp, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createTestApp, eventually, registerRepository, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { git } from '../src/git/git.js';
import { createRepository, gitIn } from './support/repository-fixtures.js';

const LIB = 'exports.add = (a, b) => a + b;\n';
const CONFIG_JS = ['module.exports = {', '  retries: 3,', '  timeout: 1000,', '  verbose: false,', '};', ''].join('\n');
const PACKAGE =
  JSON.stringify({ name: 'hostile', private: true, scripts: { test: 'node -e "require(\'./lib.js\')"' } }) + '\n';

/** Every hook git knows of: each one, if git ever ran it, leaves a marker named after it. */
const HOOKS = [
  'applypatch-msg',
  'pre-applypatch',
  'post-applypatch',
  'pre-commit',
  'pre-merge-commit',
  'prepare-commit-msg',
  'commit-msg',
  'post-commit',
  'pre-rebase',
  'post-checkout',
  'post-merge',
  'pre-push',
  'pre-receive',
  'update',
  'proc-receive',
  'post-receive',
  'post-update',
  'reference-transaction',
  'push-to-checkout',
  'pre-auto-gc',
  'post-rewrite',
  'post-index-change',
  'fsmonitor-watchman',
];

/**
 * A registered repository whose configuration (its own, an included file and a conditionally included
 * one), hooks and attributes (committed and in .git/info) ask git to run a program at every opportunity
 * lvlup's git calls could give it. Each program only creates a file named after its vector in `markers`.
 */
async function plantHostileConfiguration(folder: string, evil: string, markers: string, other: string) {
  const mark = (name: string) => `touch ${path.join(markers, name)}`;
  const script = async (name: string, body: string) => {
    const file = path.join(evil, name);
    await writeFile(file, `#!/bin/sh\n${body}\n`);
    await chmod(file, 0o755);
    return file;
  };
  await mkdir(path.join(evil, 'hooks'), { recursive: true });
  for (const hook of HOOKS) {
    await script(`hooks/${hook}`, `${mark(`hook-${hook}`)}\ncat >/dev/null 2>&1 || true\nexit 0`);
    await mkdir(path.join(folder, '.git', 'hooks'), { recursive: true });
    await writeFile(path.join(folder, '.git', 'hooks', hook), `#!/bin/sh\n${mark(`git-hooks-${hook}`)}\nexit 0\n`);
    await chmod(path.join(folder, '.git', 'hooks', hook), 0o755);
  }
  const settings: [string, string][] = [
    ['core.hooksPath', path.join(evil, 'hooks')],
    ['core.fsmonitor', await script('fsmonitor', `${mark('core-fsmonitor')}\nexit 1`)],
    ['core.sshCommand', `${mark('core-sshCommand')}; false`],
    ['core.gitProxy', await script('git-proxy', `${mark('core-gitProxy')}\nexit 1`)],
    ['core.askPass', await script('askpass', `${mark('core-askPass')}\necho secret`)],
    ['core.alternateRefsCommand', `${mark('core-alternateRefsCommand')}; true`],
    ['core.pager', `${mark('core-pager')}; cat`],
    ['credential.helper', `!${mark('credential-helper')}; true`],
    ['diff.external', `${mark('diff-external')}; true`],
    ['diff.evil.textconv', `${mark('diff-textconv')}; cat`],
    ['diff.evil2.command', `${mark('diff-command')}; true`],
    ['filter.evil.smudge', `${mark('filter-smudge')}; cat`],
    ['filter.evil.clean', `${mark('filter-clean')}; cat`],
    ['filter.evilproc.process', `${mark('filter-process')}; exit 1`],
    ['filter.infoattr.smudge', `${mark('filter-info-attributes')}; cat`],
    ['filter.lfs.smudge', `${mark('filter-lfs-smudge')}; cat`],
    ['filter.lfs.clean', `${mark('filter-lfs-clean')}; cat`],
    ['filter.lfs.process', `${mark('filter-lfs-process')}; exit 1`],
    ['merge.evil.driver', `${mark('merge-driver')}; false`],
    ['log.showSignature', 'true'],
    ['gpg.program', await script('gpg', `${mark('gpg-program')}\nexit 1`)],
    ['protocol.ext.allow', 'always'],
    ['protocol.fd.allow', 'always'],
    ['gc.auto', '1'],
    ['include.path', path.join(evil, 'included.config')],
    [`includeIf.gitdir:/.path`, path.join(evil, 'included-if.config')],
  ];
  for (const [key, value] of settings) await gitIn(folder, 'config', '--add', key, value);
  await writeFile(
    path.join(evil, 'included.config'),
    `[filter "included"]\n\tsmudge = ${mark('include-filter')}; cat\n\tclean = ${mark('include-filter')}; cat\n`,
  );
  await writeFile(
    path.join(evil, 'included-if.config'),
    `[filter "includedif"]\n\tsmudge = ${mark('includeIf-filter')}; cat\n\tclean = ${mark('includeIf-filter')}; cat\n` +
      `[core]\n\tfsmonitor = ${await script('fsmonitor-if', `${mark('includeIf-fsmonitor')}\nexit 1`)}\n`,
  );
  await mkdir(path.join(folder, '.git', 'info'), { recursive: true });
  await writeFile(path.join(folder, '.git', 'info', 'attributes'), '*.md filter=infoattr\n');
  // Alternates make a fetch list the other repository's refs, with core.alternateRefsCommand if set.
  await writeFile(
    path.join(folder, '.git', 'objects', 'info', 'alternates'),
    `${path.join(other, '.git', 'objects')}\n`,
  );
}

/**
 * Commits a new version of one file on main with plumbing only: `git add` or `commit -a` would run the
 * repository's clean filter (its name is the repository's to choose, so no git setting turns it off).
 */
async function commitWithoutFilters(folder: string, file: string, content: string): Promise<void> {
  const run = async (args: string[], input?: string, environment?: Record<string, string>) =>
    (await git(args, { cwd: folder, input, environment })).stdout.trim();
  const environment = { GIT_INDEX_FILE: path.join(folder, '.git', 'lvlup-test.index') };
  const blob = await run(['hash-object', '-w', '--no-filters', '--stdin'], content);
  const parent = await run(['rev-parse', 'refs/heads/main']);
  await run(['read-tree', parent], undefined, environment);
  await run(['update-index', '--index-info'], `100644 ${blob}\t${file}\n`, environment);
  const tree = await run(['write-tree'], undefined, environment);
  await rm(environment.GIT_INDEX_FILE);
  const commit = await run(['commit-tree', tree, '-p', parent, '-m', 'moved on']);
  await run(['update-ref', 'refs/heads/main', commit, parent]);
}

/** Remotes of every transport whose program or helper the configuration chooses. */
function remotes(other: string, markers: string, httpUrl: string): Record<string, [string, string][]> {
  return {
    local: [
      ['url', other],
      ['uploadpack', `touch ${path.join(markers, 'remote-uploadpack')}; git-upload-pack`],
      ['receivepack', `touch ${path.join(markers, 'remote-receivepack')}; git-receive-pack`],
    ],
    ssh: [['url', 'ssh://127.0.0.1:1/repository.git']],
    ext: [['url', `ext::sh -c touch% ${path.join(markers, 'ext-protocol')}`]],
    git: [['url', 'git://127.0.0.1:1/repository.git']],
    http: [['url', httpUrl]],
  };
}

for (const target of databaseTargets()) {
  describe(`a repository whose configuration runs programs, on ${target}`, () => {
    let t: TestApp;
    let workspace: string;
    let folder: string;
    let other: string;
    let markers: string;
    let repositoryId: string;
    let writer: string;
    let reader: string;
    let runner: string;
    let server: Server;
    let httpUrl: string;

    before(async () => {
      workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-hostile-')));
      markers = path.join(workspace, 'markers');
      await mkdir(markers);
      // Asks for credentials on every request, so that a fetch needs a credential helper or askpass.
      server = createServer((_request, response) => {
        response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="lvlup test"' }).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      assert.ok(address && typeof address === 'object');
      httpUrl = `http://127.0.0.1:${address.port}/repository.git`;

      t = await createTestApp(target, {
        environment: { LVLUP_REPO_ROOTS: workspace, LVLUP_DATA_DIR: path.join(workspace, 'data') },
        worker: { pollIntervalMs: 100 },
      });
      writer = await t.createKey(['proposals:read', 'proposals:write', 'agents:read', 'repos:write']);
      reader = await t.createKey(['proposals:read', 'agents:read', 'repos:read']);
      runner = await t.createKey(['agents:read', 'agents:run', 'proposals:read']);

      other = path.join(workspace, 'other');
      await createRepository(other, { 'README.md': '# other\n' });
      folder = path.join(workspace, 'hostile');
      await createRepository(folder, {
        'package.json': PACKAGE,
        'lib.js': LIB,
        'config.js': CONFIG_JS,
        'notes.txt': 'notes\n',
        'data.bin': 'binary\n',
        'README.md': '# hostile\n',
        'settings.json': '{}\n',
        'settings.yml': 'a: 1\n',
        '.gitattributes': [
          '*.js filter=evil diff=evil merge=evil',
          '*.txt filter=evilproc diff=evil2',
          '*.bin filter=lfs diff=lfs merge=lfs',
          '*.json filter=included',
          '*.yml filter=includedif',
          '',
        ].join('\n'),
      });
      await plantHostileConfiguration(folder, path.join(workspace, 'evil'), markers, other);
      for (const [name, settings] of Object.entries(remotes(other, markers, httpUrl))) {
        for (const [key, value] of settings) await gitIn(folder, 'config', `remote.${name}.${key}`, value);
      }
    });
    after(async () => {
      await t?.close();
      server?.close();
      await rm(workspace, { recursive: true, force: true });
    });

    const markersLeft = () => readdir(markers);

    it('plants vectors that do fire when git is run on the repository without lvlup’s runner', async () => {
      // Plain git, the repository's configuration in force: proves the fixture would catch a regression.
      const { execFileSync } = await import('node:child_process');
      try {
        execFileSync('git', ['status', '--porcelain'], {
          cwd: folder,
          env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
          stdio: 'ignore',
        });
      } catch {
        // a filter process that exits makes git give up; what it ran first has left its marker
      }
      const fired = await markersLeft();
      assert.ok(fired.includes('core-fsmonitor') || fired.includes('includeIf-fsmonitor'), fired.join(', '));
      for (const name of fired) await rm(path.join(markers, name));
    });

    it('registers, browses, syncs, proposes, tests, experiments, applies, clones and scans without running any', async () => {
      repositoryId = await registerRepository(t, folder);
      const get = (url: string, key = reader) => t.request({ method: 'GET', url, key });
      const post = (url: string, payload: Record<string, unknown> | undefined, key = writer) =>
        t.request({ method: 'POST', url, key, ...(payload ? { payload } : {}) });

      // browse
      const tree = await get(`/api/v1/repositories/${repositoryId}/tree?ref=main`);
      assert.equal(tree.statusCode, 200, tree.body);
      for (const file of ['lib.js', 'notes.txt', 'data.bin', 'README.md', 'settings.json', 'settings.yml']) {
        const read = await get(`/api/v1/repositories/${repositoryId}/file?ref=main&path=${file}`);
        assert.equal(read.statusCode, 200, read.body);
      }
      assert.equal((await get(`/api/v1/repositories/${repositoryId}/checks`)).statusCode, 200);

      // sync, one remote at a time (a failed fetch stops a sync)
      const all = remotes(other, markers, httpUrl);
      for (const name of Object.keys(all)) {
        // not `git remote remove`, which runs .git/hooks/reference-transaction whatever core.hooksPath says
        for (const remote of Object.keys(all)) {
          await gitIn(folder, 'config', '--remove-section', `remote.${remote}`).catch(() => '');
        }
        await gitIn(folder, 'remote', 'add', name, all[name]![0]![1]);
        for (const [key, value] of all[name]!.slice(1)) await gitIn(folder, 'config', `remote.${name}.${key}`, value);
        const synced = await post(`/api/v1/repositories/${repositoryId}/sync`, undefined, t.adminKey);
        assert.ok([200, 422].includes(synced.statusCode), `${name}: ${synced.body}`);
        if (name === 'local') assert.equal(synced.statusCode, 200, synced.body);
      }

      // clone it through a file:// URL (the repository serves the pack)
      const cloned = await post('/api/v1/repositories', { clone_url: pathToFileURL(folder).href }, t.adminKey);
      assert.equal(cloned.statusCode, 201, cloned.body);

      // propose, which tests the proposal in the sandbox
      const propose = async (file: string, before: string, after: string) => {
        const response = await post('/proposals/', {
          ai_type: 'imperium',
          repository_id: repositoryId,
          file_path: file,
          code_before: before,
          code_after: after,
          description: `change ${file}`,
        });
        assert.equal(response.statusCode, 201, response.body);
        const id = response.json<{ id: string }>().id;
        return eventually(
          t,
          async () => {
            const proposal = (await get(`/proposals/${id}`)).json<{ id: string; status: string }>();
            return ['test-passed', 'test-failed'].includes(proposal.status) ? proposal : undefined;
          },
          60_000,
        );
      };
      const first = await propose('lib.js', LIB, '// adds\n' + LIB);
      assert.equal(first.status, 'test-passed');
      const second = await propose('config.js', CONFIG_JS, CONFIG_JS.replace('retries: 3', 'retries: 5'));
      assert.equal(second.status, 'test-passed');

      // experiment
      const experiment = await post(
        '/sandbox/experiments',
        { repository_id: repositoryId, proposal_id: first.id, command: 'true', runs: 1 },
        runner,
      );
      assert.equal(experiment.statusCode, 202, experiment.body);
      const finished = await eventually(
        t,
        async () => {
          const body = (await get(`/sandbox/experiments/${experiment.json().id}`)).json();
          return ['succeeded', 'failed'].includes(body.status) ? body : undefined;
        },
        60_000,
      );
      assert.equal(finished.status, 'succeeded', JSON.stringify(finished));

      // apply: the first directly; the second after main changed the lines around it (a 3-way apply)
      const apply = async (id: string) => {
        const accepted = await post(`/proposals/${id}/accept`, { reason: 'correct' });
        assert.equal(accepted.statusCode, 200, accepted.body);
        return post(`/proposals/${id}/apply`, undefined, t.adminKey);
      };
      const applied = await apply(first.id);
      assert.equal(applied.statusCode, 200, applied.body);
      assert.equal(applied.json().status, 'applied');
      await commitWithoutFilters(folder, 'config.js', CONFIG_JS.replace('verbose: false', 'verbose: true'));
      const reapplied = await apply(second.id);
      assert.equal(reapplied.statusCode, 200, reapplied.body);
      assert.equal(reapplied.json().status, 'applied');
      assert.equal(reapplied.json().applied_branch, `lvlup/${second.id.slice(0, 8)}`);

      // scan
      const scan = await post('/agents/guardian/run', { repository_id: repositoryId }, runner);
      assert.equal(scan.statusCode, 202, scan.body);
      const task = await eventually(
        t,
        async () => {
          const body = (await get(`/api/v1/tasks/${scan.json().id}`)).json();
          return ['succeeded', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
        },
        30_000,
      );
      assert.equal(task.status, 'succeeded', JSON.stringify(task.error));

      assert.deepEqual(await markersLeft(), []);
      // nothing registered in the repository either
      assert.equal((await gitIn(folder, 'worktree', 'list', '--porcelain')).match(/^worktree /gm)?.length, 1);
    });

    it('keeps each vector that plain git runs on the repository from running through lvlup’s runner', async () => {
      const { execFileSync } = await import('node:child_process');
      const plain = (args: string[]) => {
        try {
          execFileSync('git', args, {
            cwd: folder,
            stdio: 'ignore',
            env: {
              PATH: process.env.PATH,
              GIT_CONFIG_NOSYSTEM: '1',
              GIT_CONFIG_GLOBAL: '/dev/null',
              GIT_AUTHOR_NAME: 'Test',
              GIT_AUTHOR_EMAIL: 'test@example.com',
              GIT_COMMITTER_NAME: 'Test',
              GIT_COMMITTER_EMAIL: 'test@example.com',
            },
          });
        } catch {
          // the planted programs fail on purpose; what matters is that they ran
        }
      };
      await commitWithoutFilters(folder, 'notes.txt', 'more notes\n');
      await gitIn(folder, 'config', 'remote.pushable.url', other);
      await gitIn(
        folder,
        'config',
        'remote.pushable.uploadpack',
        `touch ${path.join(markers, 'remote-uploadpack')}; git-upload-pack`,
      );
      await gitIn(
        folder,
        'config',
        'remote.pushable.receivepack',
        `touch ${path.join(markers, 'remote-receivepack')}; git-receive-pack`,
      );
      const cases: [string, string[]][] = [
        ['hook-reference-transaction', ['update-ref', 'refs/heads/vector', 'HEAD']],
        // main~1 is the commit that moved config.js on (diff.<driver>.command goes with --no-ext-diff too)
        ['diff-external', ['diff', 'main~2', 'main~1']],
        ['diff-textconv', ['log', '-p', '--no-ext-diff', '-1', 'main~1']],
        ['remote-receivepack', ['push', 'pushable', 'main:refs/heads/from-hostile']],
        ['remote-uploadpack', ['fetch', 'pushable']],
      ];
      for (const [vector, args] of cases) {
        assert.deepEqual(await markersLeft(), [], vector);
        await git(args, { cwd: folder }).catch(() => undefined);
        assert.deepEqual(await markersLeft(), [], `${vector} through the runner`);
        plain(args);
        const fired = await markersLeft();
        assert.ok(fired.includes(vector), `${vector} with plain git: ${fired.join(', ')}`);
        for (const name of fired) await rm(path.join(markers, name));
      }
    });
  });
}
