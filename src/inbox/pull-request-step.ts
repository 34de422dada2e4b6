import type { Config } from '../config/config.js';
import type { repositories } from '../db/schema.js';
import { git } from '../git/git.js';
import { openPullRequest } from '../github/pull-requests.js';
import { pushBranch } from '../github/push-branch.js';
import { gitHubHostFromApiUrl, parseGitHubRemote } from '../github/remote-url.js';
import type { Proposal } from '../proposals/transition-store.js';

/**
 * Pushes an applied proposal's branch and opens a pull request for it. The commit already exists, so a
 * failure here does not undo the apply: it is returned as a message to store and show.
 */
export async function openPullRequestForProposal(
  settings: { github: Config['github']; fetch?: typeof globalThis.fetch },
  repository: Pick<typeof repositories.$inferSelect, 'path' | 'cloneUrl' | 'defaultBranch'>,
  proposal: Proposal,
): Promise<{ url: string } | { error: string }> {
  if (!proposal.appliedBranch) return { error: 'the proposal has no branch to propose' };
  let remote = repository.cloneUrl;
  if (!remote) {
    try {
      remote = (await git(['remote', 'get-url', 'origin'], { cwd: repository.path })).stdout.trim();
    } catch {
      return { error: 'the repository has no origin remote to open a pull request on' };
    }
  }
  const github = parseGitHubRemote(remote, gitHubHostFromApiUrl(settings.github.apiUrl));
  if (!github) return { error: `origin (${remote.replace(/\/\/[^@/]*@/, '//')}) is not a GitHub repository` };
  if (!settings.github.token) return { error: 'GITHUB_TOKEN is not set, so lvlup cannot push or open pull requests' };
  try {
    await pushBranch({
      repositoryPath: repository.path,
      remoteUrl: remote,
      branch: proposal.appliedBranch,
      token: settings.github.token,
    });
    const pullRequest = await openPullRequest({
      owner: github.owner,
      repo: github.repo,
      head: proposal.appliedBranch,
      base: repository.defaultBranch,
      title: proposal.description?.split('\n')[0]?.slice(0, 120) || `${proposal.aiType}: change ${proposal.filePath}`,
      body: [proposal.rationale ?? '', `Proposed by lvlup (${proposal.aiType}), proposal ${proposal.id}.`]
        .join('\n\n')
        .trim(),
      token: settings.github.token,
      apiUrl: settings.github.apiUrl,
      ...(settings.fetch ? { fetch: settings.fetch } : {}),
    });
    return { url: pullRequest.url };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
