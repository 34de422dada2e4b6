import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { commitFiles, createRepository, gitIn } from '../../test/support/repository-fixtures.js';
import { listDirectory, readFileAtRef, resolveCommit, resolveHead, UnknownRevisionError } from './git-repository.js';
import { UnsafePathError } from './safe-path.js';

describe('reading committed content from git objects', () => {
  let folder: string;
  let first: string;
  let second: string;
  const repository = () => ({ path: folder, defaultBranch: 'main' });

  before(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'lvlup-git-objects-'));
    first = await createRepository(folder, {
      'README.md': 'hello\n',
      'src/app.ts': 'export const a = 1;\n',
      passwd: { symlink: '/etc/passwd' },
      inside: { symlink: 'src' },
    });
    second = await commitFiles(folder, { 'src/app.ts': 'export const a = 2;\n' });
    // uncommitted: must never be seen
    await writeFile(path.join(folder, 'README.md'), 'edited, not committed\n');
  });
  after(() => rm(folder, { recursive: true, force: true }));

  it('resolves the default branch and revisions to commits', async () => {
    assert.equal(await resolveHead(repository()), second);
    assert.equal(await resolveCommit(repository(), 'main~1'), first);
    await assert.rejects(resolveCommit(repository(), 'no-such-branch'), UnknownRevisionError);
    await assert.rejects(resolveCommit(repository(), '--output=/tmp/x'), UnknownRevisionError);
    await assert.rejects(resolveHead({ path: folder, defaultBranch: 'gone' }), UnknownRevisionError);
  });

  it('reads files at a revision, never the work tree', async () => {
    assert.equal(await readFileAtRef(repository(), second, 'README.md'), 'hello\n');
    assert.equal(await readFileAtRef(repository(), first, 'src/app.ts'), 'export const a = 1;\n');
    assert.equal(await readFileAtRef(repository(), 'main', './src//app.ts'), 'export const a = 2;\n');
    assert.equal(await readFileAtRef(repository(), 'main', 'src/missing.ts'), undefined);
    assert.equal(await readFileAtRef(repository(), 'main', 'src'), undefined, 'a directory is not a file');
    assert.equal(await readFileAtRef(repository(), 'main', 'README.md/x'), undefined);
  });

  for (const [requested, reason] of [
    ['../../etc/passwd', '".."'],
    ['/etc/passwd', 'absolute'],
    ['.git/config', '.git'],
    ['passwd', 'symbolic link'],
    ['inside/app.ts', 'symbolic link'],
    ['a\0b', 'NUL'],
  ] as const) {
    it(`refuses ${JSON.stringify(requested)}`, async () => {
      await assert.rejects(
        readFileAtRef(repository(), 'main', requested),
        (error: unknown) => error instanceof UnsafePathError && error.reason.includes(reason),
      );
    });
  }

  it('lists directories with entry types and sizes', async () => {
    const root = await listDirectory(repository(), second, '');
    assert.deepEqual(
      root?.map((entry) => [entry.path, entry.type, entry.size]),
      [
        ['README.md', 'file', 6],
        ['inside', 'symlink', 3],
        ['passwd', 'symlink', 11],
        ['src', 'directory', undefined],
      ],
    );
    assert.deepEqual(
      (await listDirectory(repository(), second, 'src'))?.map((entry) => entry.path),
      ['src/app.ts'],
    );
    assert.equal(await listDirectory(repository(), second, 'README.md'), undefined);
    await assert.rejects(listDirectory(repository(), second, 'inside'), UnsafePathError);
  });

  it('does not fall back to an enclosing repository when the folder is not one', async () => {
    const nested = path.join(folder, 'not-a-repository');
    await mkdir(nested);
    await assert.rejects(resolveHead({ path: nested, defaultBranch: 'main' }), /not a git repository/);
    assert.equal(await gitIn(folder, 'rev-parse', 'HEAD'), second);
  });
});
