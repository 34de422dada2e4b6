import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { git } from './git.js';

/**
 * Throw-away folders (sandbox work trees, apply checkouts) are named after the process that made them:
 * `<prefix><host>.<pid>.<start>-<random>`, where <start> is the process's start time in clock ticks since
 * boot (/proc/<pid>/stat), so that a later process that happens to get the same pid (pid 1 again in a
 * restarted container) is not taken for the owner. A folder whose owner is gone was left by a process
 * that was killed (kill -9, out of memory, power) before it could remove it.
 */

/** The start time of a process, or undefined when it does not exist (or there is no /proc). */
function startTime(pid: number | 'self'): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) is in parentheses and may itself contain spaces or parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const HOST = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 8);
const OWNER = `${HOST}.${process.pid}.${startTime('self') ?? '0'}`;
const TAG = /^([0-9a-f]{8})\.(\d+)\.(\d+)-/;

function ownerIsAlive(pid: number, start: string): boolean {
  if (pid === process.pid) return start === (startTime('self') ?? '0');
  const current = startTime(pid);
  if (current !== undefined) return current === start;
  try {
    process.kill(pid, 0);
    // The process exists, but /proc is not there to tell whether it is the one that made the folder.
    return start === '0';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A new folder under `root` named `<prefix>` and this process's tag (mkdtemp: private to lvlup's user). */
export async function makeOwnedFolder(root: string, prefix: string): Promise<string> {
  await mkdir(root, { recursive: true });
  return mkdtemp(path.join(root, `${prefix}${OWNER}-`));
}

/**
 * The repositories whose `git worktree list` a folder is registered in: a work tree made by
 * `git worktree add` (as lvlup did before isolated-checkout.ts) has a `.git` file naming
 * `<common dir>/worktrees/<name>`, one or two levels down.
 */
async function registeringRepositories(folder: string): Promise<string[]> {
  const found: string[] = [];
  const visit = async (directory: string, depth: number) => {
    const text = await readFile(path.join(directory, '.git'), 'utf8').catch(() => undefined);
    const match = text === undefined ? null : /^gitdir: (.+)$/m.exec(text);
    if (match && path.basename(path.dirname(match[1]!)) === 'worktrees') {
      found.push(path.dirname(path.dirname(match[1]!)));
    }
    if (depth === 0) return;
    const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.isSymbolicLink()) await visit(path.join(directory, entry.name), depth - 1);
    }
  };
  await visit(folder, 2);
  return found;
}

/**
 * Removes the folders under `root` starting with `prefix` that a process no longer running made, and
 * answers their names. With `untagged`, also those without an owner tag, as lvlup named them before
 * (only safe where no process of an older version can still be working, e.g. at start-up in a folder of
 * this installation's own); such a folder may be a work tree registered in the user's repository, whose
 * entry is pruned after the folder is gone. Folders of other hosts, and of living processes, are left.
 */
export async function removeAbandonedFolders(
  root: string,
  prefix: string,
  options: { untagged?: boolean } = {},
): Promise<string[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const tag = TAG.exec(name.slice(prefix.length));
    if (tag) {
      if (tag[1] !== HOST || ownerIsAlive(Number(tag[2]), tag[3]!)) continue;
    } else if (!options.untagged) {
      continue;
    }
    const folder = path.join(root, name);
    const repositories = await registeringRepositories(folder);
    await rm(folder, { recursive: true, force: true });
    for (const commonDirectory of repositories) {
      await git(['worktree', 'prune'], {
        cwd: commonDirectory,
        environment: { GIT_DIR: commonDirectory },
      }).catch(() => undefined);
    }
    removed.push(name);
  }
  return removed;
}
