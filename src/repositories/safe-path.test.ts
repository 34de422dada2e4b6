import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { normaliseRelativePath, resolveInWorkTree, UnsafePathError } from './safe-path.js';

describe('normaliseRelativePath', () => {
  it('normalises harmless paths', () => {
    assert.equal(normaliseRelativePath('src/app.ts'), 'src/app.ts');
    assert.equal(normaliseRelativePath('./src//lib/./x.py'), 'src/lib/x.py');
    assert.equal(normaliseRelativePath('src\\win\\file.ts'), 'src/win/file.ts');
    assert.equal(normaliseRelativePath('.github/workflows/ci.yml'), '.github/workflows/ci.yml');
    assert.equal(normaliseRelativePath('', { allowRoot: true }), '');
  });

  for (const [requested, reason] of [
    ['../../etc/passwd', '".."'],
    ['src/../../x', '".."'],
    ['/etc/passwd', 'absolute'],
    ['C:\\Windows\\system.ini', 'absolute'],
    ['\\\\server\\share', 'absolute'],
    ['.git/config', '.git'],
    ['sub/.GIT/hooks/pre-commit', '.git'],
    ['a\0b', 'NUL'],
    ['', 'empty'],
  ] as const) {
    it(`refuses ${JSON.stringify(requested)} (${reason})`, () => {
      assert.throws(
        () => normaliseRelativePath(requested),
        (error: unknown) => error instanceof UnsafePathError && error.reason.includes(reason),
      );
    });
  }
});

describe('resolveInWorkTree', () => {
  let root: string;
  let outside: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'lvlup-safe-path-'));
    outside = await mkdtemp(path.join(os.tmpdir(), 'lvlup-outside-'));
    await mkdir(path.join(root, 'src'));
    await mkdir(path.join(root, '.git'));
    await writeFile(path.join(root, 'src', 'a.ts'), 'x');
    await writeFile(path.join(outside, 'secret'), 'secret');
    await symlink(outside, path.join(root, 'escape'));
    await symlink('/etc/passwd', path.join(root, 'passwd'));
    await symlink(path.join(root, 'src'), path.join(root, 'inside'));
    await symlink(path.join(root, '.git'), path.join(root, 'gitlink'));
    await symlink(path.join(root, 'missing'), path.join(root, 'dangling'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('resolves existing and new files inside the tree', async () => {
    const existing = await resolveInWorkTree(root, 'src/a.ts');
    assert.equal(existing.relative, 'src/a.ts');
    assert.ok(existing.absolute.endsWith(path.join('src', 'a.ts')));
    const created = await resolveInWorkTree(root, 'src/new/dir/b.ts');
    assert.ok(created.absolute.endsWith(path.join('src', 'new', 'dir', 'b.ts')));
  });

  it('follows symbolic links that stay inside', async () => {
    const resolved = await resolveInWorkTree(root, 'inside/a.ts');
    assert.ok(resolved.absolute.endsWith(path.join('src', 'a.ts')));
  });

  for (const [requested, reason] of [
    ['escape/secret', 'leaving the work tree'],
    ['passwd', 'leaving the work tree'],
    ['gitlink/config', 'into .git'],
    ['dangling', 'dangling'],
    ['../outside', '".."'],
  ] as const) {
    it(`refuses ${requested}`, async () => {
      await assert.rejects(
        resolveInWorkTree(root, requested),
        (error: unknown) => error instanceof UnsafePathError && error.reason.includes(reason),
      );
    });
  }
});
