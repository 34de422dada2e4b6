import { rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { git, type GitOptions } from './git.js';

/**
 * The object folder of the repository at `repositoryPath` (its common git directory's `objects`), absolute.
 */
async function objectFolder(repositoryPath: string, options: Partial<GitOptions>): Promise<string> {
  const { stdout } = await git(['rev-parse', '--path-format=absolute', '--git-common-dir'], {
    ...options,
    cwd: repositoryPath,
  });
  return path.join(stdout.trim(), 'objects');
}

/**
 * Checks `commit` of the repository at `repositoryPath` out into `tree` (a folder that must not exist
 * yet), with a git directory of lvlup's own at `gitDirectory` that uses the repository's object folder.
 *
 * Why not `git worktree add`: a linked work tree reads the repository's configuration, hooks and
 * info/attributes, and a repository lvlup does not own can name filter, merge and diff drivers there under
 * any name (`filter.<name>.smudge` runs on checkout, `merge.<name>.driver` on `apply --3way`), which no
 * `-c` setting can switch off in advance. Here the configuration is the one `git init` writes and the
 * repository contributes only objects. Its in-tree .gitattributes still apply, but name drivers that
 * are not defined, which git ignores. Nothing is registered in the repository either: a crash leaves
 * only folders of lvlup's (see scratch-folders.ts), never an entry in the user's `git worktree list`.
 *
 * Commits made in the checkout are written to the repository's object folder, as a linked work tree's
 * would be; refs are the checkout's own until lvlup moves the repository's with `update-ref`.
 */
export async function checkOutIsolated(
  repositoryPath: string,
  commit: string,
  folders: { tree: string; gitDirectory: string },
  options: Partial<GitOptions> = {},
): Promise<void> {
  const objects = await objectFolder(repositoryPath, options);
  const { tree, gitDirectory } = folders;
  await git(['init', '--quiet', '--template=', `--separate-git-dir=${gitDirectory}`, tree], {
    ...options,
    cwd: path.dirname(tree),
  });
  await rm(path.join(gitDirectory, 'objects'), { recursive: true });
  await symlink(objects, path.join(gitDirectory, 'objects'));
  await git(['checkout', '--quiet', '--detach', commit], { ...options, cwd: tree });
}
