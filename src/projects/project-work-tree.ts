import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { git, gitBytes } from '../git/git.js';
import { resolveInWorkTree } from '../repositories/safe-path.js';

// The git repository a project's app lives in: every stage commits what it wrote, with trailers naming
// the stage and the task, so `git log` tells how the app came to be and a retry starts from a commit.

export function projectFolder(dataDirectory: string, projectId: string): string {
  return path.join(dataDirectory, 'projects', projectId);
}

/** Creates the repository with a first, empty commit (the commit a run from the first stage starts from). */
export async function initialiseWorkTree(folder: string, projectName: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  await git(['init', '--quiet', '--initial-branch=main'], { cwd: folder });
  await git([...pinned(folder), 'commit', '--quiet', '--allow-empty', '-m', `Start project ${projectName}`], {
    cwd: folder,
  });
  return headCommit(folder);
}

/**
 * git's own options pinning a command to the project's repository. Without them git looks for a .git
 * in the parent folders when the project's is missing, and the data folder may sit inside another
 * repository (lvlup's own checkout, by default): a commit there would take in that repository's changes.
 */
export function pinned(folder: string): string[] {
  return [`--git-dir=${path.join(folder, '.git')}`, `--work-tree=${folder}`];
}

export async function headCommit(folder: string): Promise<string> {
  return (await git([...pinned(folder), 'rev-parse', 'HEAD'], { cwd: folder })).stdout.trim();
}

/** Puts the work tree back at `commit`: what a later stage wrote (tracked or not, ignored files aside) goes. */
export async function resetWorkTree(folder: string, commit: string): Promise<void> {
  await git([...pinned(folder), 'reset', '--quiet', '--hard', commit], { cwd: folder });
  await git([...pinned(folder), 'clean', '--quiet', '-d', '--force'], { cwd: folder });
}

/**
 * Writes generated files (paths relative to the work tree; each is resolved inside it, so no generated
 * path can write elsewhere) and commits them, even when nothing changed, so every stage has its commit.
 */
export async function commitFiles(
  folder: string,
  files: Readonly<Record<string, string>>,
  message: { subject: string; trailers: Readonly<Record<string, string>> },
): Promise<string> {
  for (const [relative, content] of Object.entries(files)) {
    const { absolute } = await resolveInWorkTree(folder, relative);
    await mkdir(path.dirname(absolute), { recursive: true });
    await writeFile(absolute, content);
  }
  await git([...pinned(folder), 'add', '--all'], { cwd: folder });
  const trailers = Object.entries(message.trailers).map(([key, value]) => `${key}: ${value}`);
  await git(
    [...pinned(folder), 'commit', '--quiet', '--allow-empty', '-m', `${message.subject}\n\n${trailers.join('\n')}`],
    {
      cwd: folder,
    },
  );
  return headCommit(folder);
}

/** The app at `commit` as a gzip-compressed tar, its files under `<prefix>/`. */
export async function archiveCommit(folder: string, commit: string, prefix: string): Promise<Buffer> {
  const { stdout } = await gitBytes([...pinned(folder), 'archive', '--format=tar.gz', `--prefix=${prefix}/`, commit], {
    cwd: folder,
  });
  return stdout;
}
