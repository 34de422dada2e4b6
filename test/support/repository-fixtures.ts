import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { git } from '../../src/git/git.js';

/** Runs git in `folder` and answers its trimmed output. */
export async function gitIn(folder: string, ...args: string[]): Promise<string> {
  return (await git(args, { cwd: folder })).stdout.trim();
}

/**
 * Writes files (a string is text, a Buffer bytes, `{ symlink }` a symbolic link) relative to `folder`
 * and commits everything; answers the new commit.
 */
export async function commitFiles(
  folder: string,
  files: Record<string, string | Buffer | { symlink: string }>,
  message = 'change',
): Promise<string> {
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(folder, relative);
    await mkdir(path.dirname(target), { recursive: true });
    if (typeof content === 'object' && 'symlink' in content) await symlink(content.symlink, target);
    else await writeFile(target, content);
  }
  await gitIn(folder, 'add', '--all');
  await gitIn(folder, 'commit', '--quiet', '--message', message);
  return gitIn(folder, 'rev-parse', 'HEAD');
}

/** A new repository at `folder` on branch `main` with one commit of `files`; answers that commit. */
export async function createRepository(
  folder: string,
  files: Record<string, string | Buffer | { symlink: string }>,
): Promise<string> {
  await mkdir(folder, { recursive: true });
  await gitIn(folder, 'init', '--quiet', '--initial-branch', 'main');
  return commitFiles(folder, files, 'initial');
}
