import { execFile } from 'node:child_process';
import { lchown, stat } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Account {
  readonly uid: number;
  readonly gid: number;
}

/** `find -path` takes a pattern: a path with pattern characters in it must match only itself. */
function literalPattern(file: string): string {
  return file.replace(/[\\*?[\]]/g, '\\$&');
}

/**
 * A `find` command line over the work tree: on its file system only (-xdev), not entering `skip`
 * (mount points of read-only binds), and never following symbolic links (find's default).
 */
function findArguments(workTree: string, skip: readonly string[], expression: readonly string[]): string[] {
  const prune =
    skip.length === 0
      ? []
      : [
          '(',
          ...skip.flatMap((file, index) => [...(index > 0 ? ['-o'] : []), '-path', literalPattern(file)]),
          ')',
          '-prune',
          '-o',
        ];
  return [workTree, '-xdev', ...prune, ...expression];
}

/** Entries that may change owner: folders and files with one name (a file with several may be a hard link to one outside). */
const SINGLE_NAME = ['(', '-type', 'd', '-o', '-links', '1', ')'];

/**
 * Lends the work tree to `owner` for one run and returns how to give it back: entries are changed with
 * `find … -exec chown -h` (fast on large trees; inside the work tree only, symbolic links themselves and
 * not their targets). Giving back returns what the account owns to the tree's owner, then restores the
 * entries that had another owner before.
 */
export async function lendWorkTree(
  workTree: string,
  owner: Account,
  skip: readonly string[],
): Promise<() => Promise<void>> {
  const root = await stat(workTree);
  // Handed over for good (handOverWorkTree): the account owns it already, there is nothing to lend.
  if (root.uid === owner.uid && root.gid === owner.gid) return async () => undefined;
  const { stdout } = await run(
    'find',
    findArguments(workTree, skip, [
      '(',
      '!',
      '-uid',
      String(root.uid),
      '-o',
      '!',
      '-gid',
      String(root.gid),
      ')',
      '-printf',
      '%U %G %p\\0',
    ]),
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const exceptions = stdout
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const [uid, gid, ...rest] = line.split(' ');
      return { uid: Number(uid), gid: Number(gid), path: rest.join(' ') };
    });
  await run(
    'find',
    findArguments(workTree, skip, [
      ...SINGLE_NAME,
      '-exec',
      'chown',
      '-h',
      `${owner.uid}:${owner.gid}`,
      '--',
      '{}',
      '+',
    ]),
  );
  return async () => {
    try {
      await run(
        'find',
        findArguments(workTree, skip, [
          '-uid',
          String(owner.uid),
          ...SINGLE_NAME,
          '-exec',
          'chown',
          '-h',
          `${root.uid}:${root.gid}`,
          '--',
          '{}',
          '+',
        ]),
      );
    } catch {
      // an entry vanished meanwhile: the others were given back
    }
    for (const entry of exceptions) {
      try {
        await lchown(entry.path, entry.uid, entry.gid);
      } catch {
        // removed by the command
      }
    }
  };
}

/**
 * Gives a throw-away work tree to `owner` for the rest of its life, in one pass, so that the commands run
 * in it one after the other need no lending each (see lendWorkTree). Same care as lending: inside the work
 * tree's file system only, symbolic links themselves, entries with several names left alone. The tree's
 * owner removes it afterwards (as root, whoever owns the files).
 */
export async function handOverWorkTree(workTree: string, owner: Account): Promise<void> {
  await run(
    'find',
    findArguments(workTree, [], [...SINGLE_NAME, '-exec', 'chown', '-h', `${owner.uid}:${owner.gid}`, '--', '{}', '+']),
  );
}
