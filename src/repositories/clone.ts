import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { git, GitError } from '../git/git.js';
import { type GitAuthentication, gitFailureMessage } from './clone-url.js';
import { currentBranch, findCommit, repositoryGitOptions } from './git-repository.js';
import { RepositoryRefusedError } from './repository-refused-error.js';

const CLONE_TIMEOUT_MS = 10 * 60_000;

export interface ClonedRepository {
  readonly defaultBranch: string;
  /** undefined for an empty repository */
  readonly headCommit: string | undefined;
}

async function chooseDefaultBranch(destination: string, requested: string | undefined): Promise<string> {
  const checkedOut = await currentBranch(destination);
  if (requested === undefined || requested === checkedOut) {
    if (!checkedOut) throw new RepositoryRefusedError('clone_failed', 'The clone has no branch checked out');
    return checkedOut;
  }
  if (!(await findCommit(destination, `refs/remotes/origin/${requested}`))) {
    throw new RepositoryRefusedError(
      'unknown_branch',
      `The repository has no branch ${requested}`,
      'body.default_branch',
    );
  }
  await git(
    ['checkout', '--quiet', '-b', requested, '--track', `origin/${requested}`],
    repositoryGitOptions(destination),
  );
  return requested;
}

/**
 * Clones `url` into `destination` (a folder that must not exist yet) with the git CLI and checks out the
 * default branch: the one given, or the remote's HEAD. On any failure nothing is left at `destination`.
 */
export async function cloneRepository(input: {
  url: string;
  destination: string;
  defaultBranch: string | undefined;
  authentication: GitAuthentication;
  /** `-c` settings from remoteSettings: where git may connect */
  settings: readonly string[];
}): Promise<ClonedRepository> {
  const { destination } = input;
  await mkdir(path.dirname(destination), { recursive: true });
  try {
    try {
      await git(['clone', '--quiet', '--no-recurse-submodules', '--', input.url, destination], {
        cwd: path.dirname(destination),
        timeoutMs: CLONE_TIMEOUT_MS,
        settings: input.settings,
        environment: input.authentication.environment,
      });
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      throw new RepositoryRefusedError(
        'clone_failed',
        `git clone failed: ${gitFailureMessage(error.stderr, input.authentication.secrets)}`,
      );
    }
    const defaultBranch = await chooseDefaultBranch(destination, input.defaultBranch);
    return { defaultBranch, headCommit: await findCommit(destination, `refs/heads/${defaultBranch}`) };
  } catch (error) {
    await rm(destination, { recursive: true, force: true });
    throw error;
  }
}
