import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { isValidBranchName } from '../src/repositories/branch-name.js';
import { findInvisibleCharacter } from '../src/repositories/invisible-characters.js';

// git itself is the reference: run outside any repository, so nothing (`@{-1}`, `@`) is expanded.
const outside = mkdtempSync(path.join(os.tmpdir(), 'lvlup-branch-name-'));
const gitAccepts = (name: string): boolean => {
  const result = spawnSync('git', ['check-ref-format', '--branch', name], {
    cwd: outside,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, GIT_CEILING_DIRECTORIES: path.dirname(outside), LC_ALL: 'C' },
  });
  return result.status === 0 && result.stdout.replace(/\n$/, '') === name;
};
/** Where lvlup is deliberately stricter than git (documented in src/repositories/branch-name.ts). */
const stricterThanGit = (name: string) =>
  name === '@' || name.length > 200 || findInvisibleCharacter(name) !== undefined;

describe('branch names', () => {
  after(() => rmSync(outside, { recursive: true, force: true }));

  it('follow `git check-ref-format --branch` on names chosen to hit each rule', () => {
    const names = [
      'main',
      'HEAD',
      'head',
      'HEAD/x',
      'x/HEAD',
      'refs/heads/HEAD',
      'FETCH_HEAD',
      'feature/a-b_c.d',
      'lvlup/1a2b3c4d',
      '-x',
      'x-',
      '.x',
      'x.',
      'a/.b',
      'a/b.',
      'a..b',
      'a/./b',
      'x.lock',
      'x.lock/y',
      'a.lockb',
      '/a',
      'a/',
      'a//b',
      '@',
      '@@',
      'a@b',
      'a@{b',
      '@{-1}',
      'a{b}',
      'a b',
      'a\tb',
      'a\u007fb',
      'a~1',
      'a^',
      'a:b',
      'a?',
      'a*',
      'a[b',
      'a\\b',
      'héllo',
      'ветка',
      'a\u200bb',
      'main\u202e',
      'a\u2066b\u2069',
      '\ufeffmain',
      'a'.repeat(200),
      'a'.repeat(201),
    ];
    for (const name of names) {
      assert.equal(
        isValidBranchName(name),
        gitAccepts(name) && !stricterThanGit(name),
        `${JSON.stringify(name)}: git ${gitAccepts(name) ? 'accepts' : 'refuses'} it`,
      );
    }
    assert.equal(isValidBranchName('HEAD'), false);
  });

  it('follow `git check-ref-format --branch` on generated names', () => {
    const pieces = ['a', 'b', 'HEAD', '.', '..', '/', '-', '@', '{', '}', '.lock', '~', '^', ':', ' ', '*', '\\', 'é'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 6 }), (parts) => {
        const name = parts.join('');
        assert.equal(isValidBranchName(name), gitAccepts(name) && !stricterThanGit(name), JSON.stringify(name));
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });
});
