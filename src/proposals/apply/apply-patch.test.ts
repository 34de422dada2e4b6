import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createTwoFilesPatch } from 'diff';
import { git } from '../../git/git.js';
import { applyPatchAsCommit, type ApplyPatchInput } from './apply-patch.js';
import { moveBranch } from './branch-refs.js';

let sandbox: string;
let repository: string;
let worktreeRoot: string;
let base: string;

async function run(cwd: string, ...args: string[]): Promise<string> {
  return (await git(args, { cwd })).stdout.trim();
}

async function commitFiles(cwd: string, files: Record<string, string | null>, message: string): Promise<string> {
  for (const [name, content] of Object.entries(files)) {
    if (content === null) {
      await run(cwd, 'rm', '--quiet', name);
    } else {
      await mkdir(path.dirname(path.join(cwd, name)), { recursive: true });
      await writeFile(path.join(cwd, name), content);
      await run(cwd, 'add', name);
    }
  }
  await run(cwd, 'commit', '--quiet', '-m', message);
  return run(cwd, 'rev-parse', 'HEAD');
}

/** A patch written the way git writes it, made in a scratch clone so the repository under test is untouched. */
async function gitPatch(files: Record<string, string | null>): Promise<string> {
  const clone = await mkdtemp(path.join(sandbox, 'author-'));
  await run(sandbox, 'clone', '--quiet', repository, clone);
  await run(clone, 'checkout', '--quiet', '--detach', base);
  for (const [name, content] of Object.entries(files)) {
    if (content === null) await rm(path.join(clone, name));
    else {
      await mkdir(path.dirname(path.join(clone, name)), { recursive: true });
      await writeFile(path.join(clone, name), content);
    }
  }
  await run(clone, 'add', '--all');
  const patch = (await git(['diff', '--cached'], { cwd: clone })).stdout;
  await rm(clone, { recursive: true, force: true });
  return patch;
}

async function refs(cwd = repository): Promise<string> {
  return run(cwd, 'for-each-ref', '--format=%(refname) %(objectname)');
}

async function worktrees(cwd = repository): Promise<string[]> {
  const listing = await run(cwd, 'worktree', 'list', '--porcelain');
  return listing
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length));
}

async function userView(): Promise<{ status: string; files: Record<string, string> }> {
  const files: Record<string, string> = {};
  for (const name of await readdir(repository, { recursive: true })) {
    if (name === '.git' || name.startsWith(`.git${path.sep}`)) continue;
    const absolute = path.join(repository, name);
    try {
      files[name] = await readFile(absolute, 'utf8');
    } catch {
      files[name] = '<directory>';
    }
  }
  return { status: await run(repository, 'status', '--porcelain', '--untracked-files=all'), files };
}

function input(overrides: Partial<ApplyPatchInput> & Pick<ApplyPatchInput, 'patch'>): ApplyPatchInput {
  return {
    repositoryPath: repository,
    worktreeRoot,
    baseCommit: base,
    targetBranch: 'main',
    branch: 'lvlup/1a2b3c4d',
    mode: 'per_proposal',
    message: 'Fix the greeting\n\nProposal 1a2b3c4d',
    ...overrides,
  };
}

const lines = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => `${prefix} ${index + 1}`).join('\n') + '\n';

before(async () => {
  sandbox = await mkdtemp(path.join(os.tmpdir(), 'lvlup-apply-'));
});

after(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

beforeEach(async () => {
  repository = await mkdtemp(path.join(sandbox, 'repository-'));
  worktreeRoot = await mkdtemp(path.join(sandbox, 'worktrees-'));
  await run(repository, 'init', '--quiet', '-b', 'main');
  base = await commitFiles(
    repository,
    { 'greeting.txt': 'hello\nworld\n', 'src/long.txt': lines(30, 'line'), 'old.txt': 'to be removed\n' },
    'initial',
  );
});

describe('applyPatchAsCommit, branch per proposal', () => {
  it('commits exactly the patched content on a new branch without touching the user’s tree, index or main', async () => {
    await writeFile(path.join(repository, 'greeting.txt'), 'hello\nuncommitted edit\n');
    await writeFile(path.join(repository, 'scratch.txt'), 'untracked\n');
    await writeFile(path.join(repository, 'staged.txt'), 'staged\n');
    await run(repository, 'add', 'staged.txt');
    const before = await userView();
    const patch = await gitPatch({ 'src/long.txt': lines(30, 'line').replace('line 7\n', 'line seven\n') });

    const result = await applyPatchAsCommit(input({ patch }));

    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.branch, 'lvlup/1a2b3c4d');
    assert.equal(result.reapplied, false);
    assert.equal(await run(repository, 'rev-parse', 'refs/heads/lvlup/1a2b3c4d'), result.commit);
    assert.equal(await run(repository, 'rev-parse', `${result.commit}^`), base);
    assert.equal(
      await run(repository, 'log', '-1', '--format=%B', 'lvlup/1a2b3c4d'),
      'Fix the greeting\n\nProposal 1a2b3c4d',
    );
    assert.equal(
      await run(repository, 'log', '-1', '--format=%an <%ae> / %cn', 'lvlup/1a2b3c4d'),
      'lvlup <lvlup@localhost> / lvlup',
    );
    assert.equal(await run(repository, 'diff', '--name-only', base, result.commit), 'src/long.txt');
    assert.equal(
      (await git(['show', `${result.commit}:src/long.txt`], { cwd: repository })).stdout,
      lines(30, 'line').replace('line 7\n', 'line seven\n'),
    );
    assert.equal(await run(repository, 'rev-parse', 'main'), base);
    assert.deepEqual(await userView(), before);
    assert.deepEqual(await worktrees(), [repository]);
    assert.deepEqual(await readdir(worktreeRoot), []);
  });

  it('applies a patch written by the diff package (no index lines), also after main moved', async () => {
    const patch = createTwoFilesPatch('a/greeting.txt', 'b/greeting.txt', 'hello\nworld\n', 'hello\nlvlup\n');
    await commitFiles(repository, { 'src/long.txt': lines(30, 'line').replace('line 1\n', 'first\n') }, 'moved');

    const result = await applyPatchAsCommit(input({ patch }));

    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.reapplied, true);
    assert.equal(await run(repository, 'show', `${result.commit}:greeting.txt`), 'hello\nlvlup');
  });

  it('re-applies with a 3-way merge when main moved with a change elsewhere in the same file', async () => {
    const patch = await gitPatch({ 'src/long.txt': lines(30, 'line').replace('line 25\n', 'line twenty-five\n') });
    const moved = await commitFiles(
      repository,
      { 'src/long.txt': 'inserted at the top\n' + lines(30, 'line').replace('line 3\n', 'line three\n') },
      'someone else changed the top',
    );

    const result = await applyPatchAsCommit(input({ patch }));

    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.reapplied, true);
    assert.equal(await run(repository, 'rev-parse', `${result.commit}^`), moved);
    assert.equal(
      (await git(['show', `${result.commit}:src/long.txt`], { cwd: repository })).stdout,
      'inserted at the top\n' +
        lines(30, 'line').replace('line 3\n', 'line three\n').replace('line 25\n', 'line twenty-five\n'),
    );
    assert.equal(await run(repository, 'rev-parse', 'main'), moved);
  });

  it('reports a conflict with the file and leaves no branch, work tree or ref change behind', async () => {
    const patch = await gitPatch({
      'greeting.txt': 'hello\nfrom the proposal\n',
      'src/long.txt': lines(30, 'line').replace('line 30\n', 'last\n'),
    });
    await commitFiles(repository, { 'greeting.txt': 'hello\nfrom main\n' }, 'overlapping change');
    const refsBefore = await refs();
    const viewBefore = await userView();

    const result = await applyPatchAsCommit(input({ patch }));

    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.equal(result.reason, 'conflict');
    assert.deepEqual(result.conflicts, ['greeting.txt']);
    assert.match(result.message, /conflicts with commits made on main/);
    assert.equal(await refs(), refsBefore);
    assert.deepEqual(await worktrees(), [repository]);
    assert.deepEqual(await readdir(worktreeRoot), []);
    assert.deepEqual(await userView(), viewBefore);
    assert.equal(await run(repository, 'worktree', 'prune', '--dry-run', '--verbose'), '');
  });

  it('handles new, deleted and several files in one patch', async () => {
    const patch = await gitPatch({
      'docs/new.md': '# New\n',
      'old.txt': null,
      'greeting.txt': 'hello\nthere\n',
    });

    const result = await applyPatchAsCommit(input({ patch }));

    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(
      await run(repository, 'diff', '--name-status', base, result.commit),
      'A\tdocs/new.md\nM\tgreeting.txt\nD\told.txt',
    );
    assert.equal(await run(repository, 'show', `${result.commit}:docs/new.md`), '# New');
    assert.equal(await run(repository, 'show', `${result.commit}:greeting.txt`), 'hello\nthere');
  });

  it('creates and deletes files from diff-package patches that use /dev/null', async () => {
    const patch =
      createTwoFilesPatch('/dev/null', 'b/added.txt', '', 'added\n') +
      createTwoFilesPatch('a/old.txt', '/dev/null', 'to be removed\n', '');

    const result = await applyPatchAsCommit(input({ patch }));

    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(await run(repository, 'diff', '--name-status', base, result.commit), 'A\tadded.txt\nD\told.txt');
  });

  it('refuses to overwrite an existing branch, before and without doing any work', async () => {
    await run(repository, 'branch', 'lvlup/1a2b3c4d', base);
    const patch = await gitPatch({ 'greeting.txt': 'changed\n' });

    const result = await applyPatchAsCommit(input({ patch }));

    assert.deepEqual(result, {
      ok: false,
      reason: 'branch_exists',
      conflicts: [],
      message: 'The branch lvlup/1a2b3c4d already exists; it is left as it is',
    });
    assert.equal(await run(repository, 'rev-parse', 'lvlup/1a2b3c4d'), base);
  });

  it('refuses invalid branch names and unknown base commits', async () => {
    const patch = await gitPatch({ 'greeting.txt': 'changed\n' });
    for (const overrides of [
      { branch: 'lvlup/..bad' },
      { branch: '-delete' },
      { branch: 'has space' },
      { branch: '@{-1}' },
      { targetBranch: 'main~1' },
      { targetBranch: 'missing' },
      { baseCommit: '--all' },
      { baseCommit: 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef' },
      { message: '  \n' },
    ]) {
      const result = await applyPatchAsCommit(input({ patch, ...overrides }));
      assert.ok(
        !result.ok && result.reason === 'invalid_input',
        `${JSON.stringify(overrides)}: ${JSON.stringify(result)}`,
      );
    }
    assert.equal(await run(repository, 'branch', '--list'), '* main');
  });

  it('refuses a patch that does not match its base commit, and one that changes nothing', async () => {
    const stale = createTwoFilesPatch('a/greeting.txt', 'b/greeting.txt', 'hi\nworld\n', 'hi\nthere\n');
    const mismatch = await applyPatchAsCommit(input({ patch: stale }));
    assert.ok(!mismatch.ok);
    assert.equal(mismatch.reason, 'does_not_apply');
    assert.deepEqual(mismatch.conflicts, ['greeting.txt']);

    const empty = await applyPatchAsCommit(input({ patch: '' }));
    assert.ok(!empty.ok);
    assert.equal(empty.reason, 'unsafe_patch');

    const patch = await gitPatch({ 'greeting.txt': 'hello\nagain\n' });
    await commitFiles(repository, { 'greeting.txt': 'hello\nagain\n' }, 'the same change, made by hand');
    const already = await applyPatchAsCommit(input({ patch }));
    assert.ok(!already.ok);
    assert.equal(already.reason, 'no_changes');
    assert.deepEqual(await worktrees(), [repository]);
    assert.equal(await run(repository, 'branch', '--list'), '* main');
  });

  for (const [name, target] of [
    ['../outside', '../outside'],
    ['.git/config', '.git/config'],
    ['a nested .git/hooks path', 'sub/.git/hooks/post-checkout'],
    ['an absolute path', '/tmp/lvlup-absolute'],
  ] as const) {
    it(`refuses a patch that writes ${name}, writing nothing`, async () => {
      const configBefore = await readFile(path.join(repository, '.git', 'config'), 'utf8');
      const refsBefore = await refs();
      const patch = [
        `diff --git a/${target} b/${target}`,
        'new file mode 100644',
        'index 0000000..587be6b',
        '--- /dev/null',
        `+++ b/${target}`,
        '@@ -0,0 +1 @@',
        '+x',
        '',
      ].join('\n');

      const result = await applyPatchAsCommit(input({ patch }));

      assert.ok(!result.ok);
      assert.equal(result.reason, 'unsafe_patch', result.message);
      assert.equal(existsSync(path.join(path.dirname(repository), 'outside')), false);
      assert.equal(existsSync(path.join(worktreeRoot, 'outside')), false);
      assert.equal(existsSync('/tmp/lvlup-absolute'), false);
      assert.equal(await readFile(path.join(repository, '.git', 'config'), 'utf8'), configBefore);
      assert.equal(await refs(), refsBefore);
      assert.deepEqual(await readdir(worktreeRoot), []);
    });
  }

  it('refuses a patch that adds a symbolic link', async () => {
    const patch = [
      'diff --git a/link b/link',
      'new file mode 120000',
      'index 0000000..e69de29',
      '--- /dev/null',
      '+++ b/link',
      '@@ -0,0 +1 @@',
      '+/etc/passwd',
      '\\ No newline at end of file',
      '',
    ].join('\n');

    const result = await applyPatchAsCommit(input({ patch }));

    assert.ok(!result.ok);
    assert.equal(result.reason, 'unsafe_patch');
    assert.deepEqual(result.conflicts, ['link']);
    assert.equal(await run(repository, 'branch', '--list'), '* main');
  });

  it('runs none of the repository’s hooks', async () => {
    const marker = path.join(sandbox, 'hook-ran');
    for (const hook of ['post-checkout', 'pre-commit', 'commit-msg', 'post-commit', 'reference-transaction']) {
      await writeFile(path.join(repository, '.git', 'hooks', hook), `#!/bin/sh\ntouch '${marker}'\n`, { mode: 0o755 });
    }
    const patch = await gitPatch({ 'greeting.txt': 'hooked?\n' });

    const result = await applyPatchAsCommit(input({ patch }));

    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(existsSync(marker), false);
  });

  it('refuses a worktree root inside the repository’s work tree', async () => {
    const patch = await gitPatch({ 'greeting.txt': 'changed\n' });
    await assert.rejects(
      applyPatchAsCommit(input({ patch, worktreeRoot: path.join(repository, 'scratch') })),
      /inside the work tree/,
    );
    const inside = await applyPatchAsCommit(input({ patch, worktreeRoot: path.join(repository, '.git', 'lvlup') }));
    assert.ok(inside.ok, JSON.stringify(inside));
  });

  it('lets concurrent applies on one repository each make their own branch', async () => {
    const patches = await Promise.all(
      Array.from({ length: 6 }, (_, index) => gitPatch({ [`parallel/${index}.txt`]: `${index}\n` })),
    );

    const results = await Promise.all(
      patches.map((patch, index) => applyPatchAsCommit(input({ patch, branch: `lvlup/parallel-${index}` }))),
    );

    for (const [index, result] of results.entries()) {
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(await run(repository, 'diff', '--name-only', base, result.commit), `parallel/${index}.txt`);
    }
    assert.deepEqual(await worktrees(), [repository]);
    await run(repository, 'fsck', '--strict', '--no-progress');
  });

  it('gives exactly one of several concurrent applies to the same new branch', async () => {
    const patches = await Promise.all(
      Array.from({ length: 5 }, (_, index) => gitPatch({ 'greeting.txt': `attempt ${index}\n` })),
    );

    const results = await Promise.all(patches.map((patch) => applyPatchAsCommit(input({ patch }))));

    const winners = results.filter((result) => result.ok);
    assert.equal(winners.length, 1);
    assert.equal(await run(repository, 'rev-parse', 'lvlup/1a2b3c4d'), winners[0]!.ok && winners[0]!.commit);
    for (const result of results.filter((result) => !result.ok)) {
      assert.ok(!result.ok && result.reason === 'branch_exists');
    }
    assert.deepEqual(await worktrees(), [repository]);
  });
});

describe('applyPatchAsCommit, target branch', () => {
  it('refuses to move the branch checked out in the user’s work tree', async () => {
    const patch = await gitPatch({ 'greeting.txt': 'changed\n' });
    const refsBefore = await refs();

    const result = await applyPatchAsCommit(input({ patch, mode: 'target' }));

    assert.ok(!result.ok);
    assert.equal(result.reason, 'target_checked_out');
    assert.match(result.message, /main is checked out in .*appear modified/);
    assert.equal(await refs(), refsBefore);
  });

  it('moves the target branch when the user works on another branch, leaving their tree alone', async () => {
    await run(repository, 'checkout', '--quiet', '-b', 'feature');
    await writeFile(path.join(repository, 'greeting.txt'), 'local edit\n');
    const before = await userView();
    const patch = await gitPatch({ 'greeting.txt': 'hello\ntarget\n' });

    const result = await applyPatchAsCommit(input({ patch, mode: 'target' }));

    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.branch, 'main');
    assert.equal(await run(repository, 'rev-parse', 'main'), result.commit);
    assert.equal(await run(repository, 'rev-parse', `${result.commit}^`), base);
    assert.equal(await run(repository, 'rev-parse', 'feature'), base);
    assert.equal(await run(repository, 'branch', '--list', 'lvlup/*'), '');
    assert.deepEqual(await userView(), before);
    assert.match(await run(repository, 'reflog', '-1', 'main'), /lvlup: apply proposal/);
  });

  it('moves the target branch of a bare repository, 3-way when it moved', async () => {
    const bare = path.join(sandbox, `bare-${path.basename(repository)}.git`);
    await run(sandbox, 'clone', '--quiet', '--bare', repository, bare);
    const patch = await gitPatch({ 'src/long.txt': lines(30, 'line').replace('line 20\n', 'twenty\n') });
    await commitFiles(repository, { 'src/long.txt': lines(30, 'line').replace('line 2\n', 'two\n') }, 'moved');
    await run(repository, 'push', '--quiet', bare, 'main');

    const result = await applyPatchAsCommit(input({ patch, mode: 'target', repositoryPath: bare }));

    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.reapplied, true);
    assert.equal(await run(bare, 'rev-parse', 'main'), result.commit);
    assert.equal(
      (await git(['show', 'main:src/long.txt'], { cwd: bare })).stdout,
      lines(30, 'line').replace('line 2\n', 'two\n').replace('line 20\n', 'twenty\n'),
    );
    assert.deepEqual(await worktrees(bare), [bare]);
  });

  it('moves a branch only from the tip it expects (compare-and-swap)', async () => {
    await run(repository, 'checkout', '--quiet', '-b', 'feature');
    const first = await commitFiles(repository, { 'greeting.txt': 'one\n' }, 'one');
    const second = await commitFiles(repository, { 'greeting.txt': 'two\n' }, 'two');
    await run(repository, 'branch', 'target', first);

    assert.equal(await moveBranch(repository, 'target', second, base), false);
    assert.equal(await run(repository, 'rev-parse', 'target'), first);
    assert.equal(await moveBranch(repository, 'target', second, first), true);
    assert.equal(await run(repository, 'rev-parse', 'target'), second);
  });

  it('lands concurrent target applies one after another or reports the move, never losing a commit', async () => {
    await run(repository, 'checkout', '--quiet', '-b', 'feature');
    const patches = await Promise.all(
      Array.from({ length: 6 }, (_, index) => gitPatch({ [`parallel/${index}.txt`]: `${index}\n` })),
    );

    const results = await Promise.all(patches.map((patch) => applyPatchAsCommit(input({ patch, mode: 'target' }))));

    const landed = results.flatMap((result) => (result.ok ? [result.commit] : []));
    assert.ok(landed.length >= 1);
    for (const result of results) {
      assert.ok(result.ok || result.reason === 'target_moved', JSON.stringify(result));
    }
    const history = (await run(repository, 'rev-list', `${base}..main`)).split('\n');
    assert.deepEqual([...history].sort(), [...landed].sort());
    assert.deepEqual(await worktrees(), [repository]);
    await run(repository, 'fsck', '--strict', '--no-progress');
  });
});
