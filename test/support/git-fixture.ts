import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A real git repository in a temporary folder, for tests. */
export interface GitFixture {
  readonly path: string;
  git(...args: string[]): string;
  write(relativePath: string, content: string): void;
  commit(message: string): string;
  remove(): void;
}

export function createGitFixture(files: Record<string, string> = {}): GitFixture {
  const root = mkdtempSync(path.join(os.tmpdir(), 'lvlup-git-fixture-'));
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 'Test',
        GIT_AUTHOR_EMAIL: 'test@example.com',
        GIT_COMMITTER_NAME: 'Test',
        GIT_COMMITTER_EMAIL: 'test@example.com',
      },
    }).trim();
  const write = (relativePath: string, content: string) => {
    mkdirSync(path.dirname(path.join(root, relativePath)), { recursive: true });
    writeFileSync(path.join(root, relativePath), content);
  };
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  git('init', '-q', '-b', 'main');
  for (const [file, content] of Object.entries(files)) write(file, content);
  if (Object.keys(files).length > 0) commit('initial');
  return { path: root, git, write, commit, remove: () => rmSync(root, { recursive: true, force: true }) };
}
