import { lstat, mkdir, rmdir, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { ancestorsOf, isWithin } from './paths.js';
import { lendWorkTree, type Account } from './work-tree-ownership.js';

/** What the work tree needs for one run, and how it is put back afterwards. */
export interface WorkTreeLease {
  release(): Promise<void>;
}

async function lstatOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await lstat(file);
  } catch {
    return undefined;
  }
}

/**
 * Gets a work tree ready for one run; everything it does stays inside the work tree:
 * - `mountPoints`: bind targets inside the tree that are missing are created (empty folder or file),
 *   so that bubblewrap does not create them itself, and removed again afterwards if still empty;
 * - `links` (process mode, no mounts): a missing target becomes a symbolic link to its source;
 * - `owner`: the tree is lent to the unprivileged account that runs the command (when lvlup runs as
 *   root) and given back afterwards: lent entries get their previous owner back, new ones the tree's.
 */
export async function prepareWorkTree(options: {
  workTree: string;
  owner?: Account | undefined;
  mountPoints?: readonly { target: string; directory: boolean }[];
  links?: readonly { source: string; target: string }[];
}): Promise<WorkTreeLease> {
  const { workTree } = options;
  const rootStats = await stat(workTree);
  if (!rootStats.isDirectory()) throw new TypeError(`work tree ${workTree} is not a directory`);
  const owner = options.owner;
  const skip = new Set<string>();
  const created: { path: string; kind: 'directory' | 'file' | 'link' }[] = [];
  let giveBack: (() => Promise<void>) | undefined;

  const release = async (): Promise<void> => {
    await giveBack?.();
    for (const entry of created.reverse()) {
      try {
        const stats = await lstat(entry.path);
        if (entry.kind === 'directory' && stats.isDirectory()) await rmdir(entry.path);
        else if (entry.kind === 'file' && stats.isFile() && stats.size === 0) await unlink(entry.path);
        else if (entry.kind === 'link' && stats.isSymbolicLink()) await unlink(entry.path);
      } catch {
        // not empty any more, or gone: left as it is
      }
    }
  };
  const createParents = async (target: string): Promise<void> => {
    for (const ancestor of ancestorsOf(target)) {
      if (!isWithin(ancestor, workTree) || ancestor === workTree) continue;
      if (await lstatOrUndefined(ancestor)) continue;
      await mkdir(ancestor);
      created.push({ path: ancestor, kind: 'directory' });
    }
  };

  try {
    for (const point of options.mountPoints ?? []) {
      if (!isWithin(point.target, workTree) || point.target === workTree) continue;
      skip.add(point.target);
      if (await lstatOrUndefined(point.target)) continue;
      await createParents(point.target);
      if (point.directory) await mkdir(point.target);
      else await writeFile(point.target, '', { flag: 'wx' });
      created.push({ path: point.target, kind: point.directory ? 'directory' : 'file' });
    }
    for (const link of options.links ?? []) {
      if (!isWithin(link.target, workTree) || link.target === workTree) continue;
      skip.add(link.target);
      if (await lstatOrUndefined(link.target)) continue;
      await createParents(link.target);
      await symlink(link.source, link.target);
      created.push({ path: link.target, kind: 'link' });
    }
    if (owner) giveBack = await lendWorkTree(workTree, owner, [...skip]);
  } catch (error) {
    await release();
    throw error;
  }
  return { release };
}
