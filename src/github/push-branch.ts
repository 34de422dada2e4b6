import { gitAcceptsBranchName } from '../git/branch-name.js';
import { git, GitError } from '../git/git.js';
import { GitHubError, type GitHubErrorCode } from './github-error.js';

export interface PushBranchInput {
  readonly repositoryPath: string;
  /** https://host/owner/repo(.git), git@host:owner/repo.git, or a local path (tests, mirrors) */
  readonly remoteUrl: string;
  readonly branch: string;
  readonly token: string;
}

/** SSH remotes cannot carry a token, so the same repository is pushed to over HTTPS instead. */
function pushUrlFor(remoteUrl: string): string {
  const scpLike = /^[A-Za-z0-9_.-]+@([^/:@]+):(?!\/)(.+)$/.exec(remoteUrl);
  if (scpLike && !remoteUrl.includes('://')) return `https://${scpLike[1]}/${scpLike[2]}`;
  if (remoteUrl.startsWith('ssh://')) {
    const parsed = new URL(remoteUrl);
    return `https://${parsed.hostname}${parsed.pathname}`;
  }
  return remoteUrl;
}

function scrub(text: string, secrets: readonly string[]): string {
  let scrubbed = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
  for (const secret of secrets) if (secret !== '') scrubbed = scrubbed.replaceAll(secret, '***');
  return scrubbed;
}

const authenticationFailures = [
  /Authentication failed/i,
  /could not read (Username|Password)/i,
  /Invalid username or (password|token)/i,
  /The requested URL returned error: 40[13]/i,
  /Permission to .* denied/i,
];
const missingRepositories = [
  /Repository not found/i,
  /does not appear to be a git repository/i,
  /returned error: 404/i,
];

function codeFor(stderr: string): GitHubErrorCode {
  if (authenticationFailures.some((pattern) => pattern.test(stderr))) return 'github_auth_failed';
  if (missingRepositories.some((pattern) => pattern.test(stderr))) return 'github_not_found';
  return 'github_failed';
}

/**
 * Pushes `refs/heads/<branch>` to the remote of the same name. The token travels only as an
 * `http.<origin>/.extraHeader` setting on the command line (the way actions/checkout does it): it is
 * never written to the repository's configuration, sent to another host, or shown in an error.
 */
export async function pushBranch(input: PushBranchInput): Promise<void> {
  const { repositoryPath, branch, token } = input;
  if (/[\r\n]/.test(token)) throw new GitHubError('github_auth_failed', 'The GitHub token contains a line break');
  if (input.remoteUrl.startsWith('-') || input.remoteUrl.trim() === '') {
    throw new GitHubError('github_failed', 'The remote URL is not usable');
  }
  const pushUrl = pushUrlFor(input.remoteUrl);
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  const settings = ['credential.helper=', 'core.hooksPath=/dev/null', 'protocol.ext.allow=never'];
  if (/^https?:\/\//i.test(pushUrl)) {
    settings.push(`http.${new URL(pushUrl).origin}/.extraHeader=Authorization: Basic ${basic}`);
  }
  if (!(await gitAcceptsBranchName(repositoryPath, branch))) {
    throw new GitHubError('github_failed', `${JSON.stringify(branch)} is not a valid branch name`);
  }
  try {
    await git(['push', '--no-verify', '--porcelain', pushUrl, `refs/heads/${branch}:refs/heads/${branch}`], {
      cwd: repositoryPath,
      settings,
    });
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    const lines = error.stderr.split('\n').filter((line) => line.trim() !== '');
    const detail = scrub(lines.slice(0, 2).join(' | '), [token, basic]);
    throw new GitHubError(
      codeFor(error.stderr),
      `git push of ${branch} to ${scrub(pushUrl, [token, basic])} failed: ${detail}`,
    );
  }
}
