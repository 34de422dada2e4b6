import { git, GitError } from '../git/git.js';
import { type GitAuthentication, gitFailureMessage } from './clone-url.js';
import { currentBranch, findCommit, repositoryGitOptions } from './git-repository.js';
import { remoteSettings } from './remote-access.js';
import { RepositoryRefusedError } from './repository-refused-error.js';

const FETCH_TIMEOUT_MS = 10 * 60_000;

async function fetch(
  repositoryPath: string,
  args: string[],
  authentication: GitAuthentication,
  settings: readonly string[] = [],
): Promise<void> {
  try {
    await git(
      ['fetch', '--quiet', ...args],
      repositoryGitOptions(repositoryPath, {
        timeoutMs: FETCH_TIMEOUT_MS,
        environment: authentication.environment,
        settings,
      }),
    );
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    throw new RepositoryRefusedError(
      'fetch_failed',
      `git fetch failed: ${gitFailureMessage(error.stderr, authentication.secrets)}`,
    );
  }
}

async function isAncestor(repositoryPath: string, ancestor: string, descendant: string): Promise<boolean> {
  try {
    await git(['merge-base', '--is-ancestor', ancestor, descendant], repositoryGitOptions(repositoryPath));
    return true;
  } catch (error) {
    if (error instanceof GitError && error.exitCode === 1) return false;
    throw error;
  }
}

/**
 * Fetches a clone's origin and fast-forwards its default branch (only that branch) to origin's. A local
 * branch ahead of origin is left as it is; one that has diverged (origin rewrote its history, or lvlup
 * committed there) is refused with 409 `diverged`. Answers the new head commit.
 */
export async function syncClone(
  repository: { path: string; defaultBranch: string },
  authentication: GitAuthentication,
  outboundAllow: readonly string[],
): Promise<string> {
  const { path: folder, defaultBranch } = repository;
  // The address is checked again on every fetch: what the host name resolves to may have changed.
  const origin = await git(['remote', 'get-url', 'origin'], repositoryGitOptions(folder)).then(
    (result) => result.stdout.trim(),
    (error: unknown) => {
      if (!(error instanceof GitError)) throw error;
      throw new RepositoryRefusedError('fetch_failed', 'git fetch failed: the clone has no origin remote');
    },
  );
  const settings = await remoteSettings(origin, { allow: outboundAllow, failureCode: 'fetch_failed' });
  await fetch(folder, ['--prune', 'origin'], authentication, settings);
  const upstream = await findCommit(folder, `refs/remotes/origin/${defaultBranch}`);
  if (!upstream) {
    throw new RepositoryRefusedError('default_branch_missing', `origin has no branch ${defaultBranch}`);
  }
  const local = await findCommit(folder, `refs/heads/${defaultBranch}`);
  if (local && local !== upstream && !(await isAncestor(folder, local, upstream))) {
    if (await isAncestor(folder, upstream, local)) return local;
    throw new RepositoryRefusedError(
      'diverged',
      `${defaultBranch} (${local.slice(0, 12)}) and origin/${defaultBranch} (${upstream.slice(0, 12)}) have diverged; it cannot be fast-forwarded`,
    );
  }
  if (local === upstream) return local;
  try {
    if ((await currentBranch(folder)) === defaultBranch) {
      // The checked-out branch moves with its files (merging into an unborn branch checks it out).
      await git(['merge', '--ff-only', '--quiet', upstream], repositoryGitOptions(folder));
    } else {
      // Compare-and-swap: fails rather than overwrite the branch if something moved it meanwhile.
      await git(['update-ref', `refs/heads/${defaultBranch}`, upstream, local ?? ''], repositoryGitOptions(folder));
    }
  } catch (error) {
    // Typically another process holding the clone's index or ref lock, or having moved the branch.
    if (!(error instanceof GitError)) throw error;
    throw new RepositoryRefusedError(
      'repository_busy',
      `${defaultBranch} could not be fast-forwarded: ${gitFailureMessage(error.stderr, [])}; try again`,
    );
  }
  return upstream;
}

/**
 * For a registered folder: fetches its remotes, if it has any, without touching its branches or files, and
 * answers its default branch's commit. The remotes are named by the folder's own configuration, which
 * lvlup does not trust: each is fetched under the same address guard as a clone (https to public addresses
 * or an allowed network, pinned, no redirects, no other protocol; file:// and plain paths stay local), and a
 * remote lvlup will not reach (ssh, git://, a private address) is left unfetched; the folder's own branches
 * are still read.
 */
export async function syncLocalRepository(
  repository: { path: string; defaultBranch: string },
  outboundAllow: readonly string[],
): Promise<string> {
  const { path: folder, defaultBranch } = repository;
  const { stdout } = await git(['remote'], repositoryGitOptions(folder));
  // One remote at a time rather than `fetch --all`: only a fetch of one remote takes the
  // --upload-pack=git-upload-pack that git.ts adds, in place of the repository's remote.<name>.uploadpack.
  for (const remote of stdout.split('\n').filter(Boolean)) {
    const url = (
      await git(['remote', 'get-url', '--end-of-options', remote], repositoryGitOptions(folder))
    ).stdout.trim();
    const settings = await localRemoteSettings(url, outboundAllow);
    if (settings) await fetch(folder, ['--end-of-options', remote], { environment: {}, secrets: [] }, settings);
  }
  const head = await findCommit(folder, `refs/heads/${defaultBranch}`);
  if (!head)
    throw new RepositoryRefusedError('default_branch_missing', `The repository has no branch ${defaultBranch}`);
  return head;
}

/** A plain path is a local remote (file://); undefined for a remote that lvlup will not fetch. */
async function localRemoteSettings(url: string, outboundAllow: readonly string[]): Promise<string[] | undefined> {
  const candidate = url.startsWith('/') ? `file://${url}` : url;
  try {
    return await remoteSettings(candidate, { allow: outboundAllow, failureCode: 'fetch_failed' });
  } catch (error) {
    if (error instanceof RepositoryRefusedError) return undefined;
    throw error;
  }
}
