import { Octokit } from '@octokit/rest';
import { GitHubError } from './github-error.js';

export interface OpenPullRequestInput {
  readonly owner: string;
  readonly repo: string;
  /** the pushed branch (owner:branch for a fork) */
  readonly head: string;
  /** the branch the change should be merged into */
  readonly base: string;
  readonly title: string;
  readonly body: string;
  readonly token: string;
  /** GITHUB_API_URL: https://api.github.com, or https://<host>/api/v3 for GitHub Enterprise Server */
  readonly apiUrl: string;
  /** the HTTP client Octokit uses; the global fetch unless given (the seam for tests and proxies) */
  readonly fetch?: typeof globalThis.fetch;
  readonly timeoutMs?: number;
}

export interface PullRequest {
  readonly number: number;
  /** the pull request's web page */
  readonly url: string;
  /** false when an open pull request for the same head already existed and is returned instead */
  readonly created: boolean;
}

/** The status GitHub answered with; Octokit also reports 500 when no answer came, but then has no response. */
function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('response' in error) || error.response === undefined) {
    return undefined;
  }
  return 'status' in error && typeof error.status === 'number' ? error.status : undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}

function isAlreadyExists(error: unknown): boolean {
  return statusOf(error) === 422 && error instanceof Error && /A pull request already exists/i.test(error.message);
}

function toGitHubError(error: unknown, what: string): GitHubError {
  const status = statusOf(error);
  const reason = describe(error);
  if (status === 401) return new GitHubError('github_auth_failed', `${what}: GitHub rejected the token`, status);
  if (status === 403 && !/rate limit/i.test(reason)) {
    return new GitHubError('github_auth_failed', `${what}: the token may not do this (${reason})`, status);
  }
  if (status === 404) {
    return new GitHubError('github_not_found', `${what}: not found, or not visible to the token`, status);
  }
  return new GitHubError('github_failed', `${what}: ${reason}`, status);
}

function ignore(): void {}

/**
 * Opens a pull request from `head` into `base`, or returns the open one that already exists for that head,
 * so that retrying an apply never opens a second pull request.
 */
export async function openPullRequest(input: OpenPullRequestInput): Promise<PullRequest> {
  const { owner, repo, head, base } = input;
  const octokit = new Octokit({
    auth: input.token,
    baseUrl: input.apiUrl.replace(/\/+$/, ''),
    userAgent: 'lvlup',
    // Failures reach the caller as a GitHubError; Octokit would also print each one to the console.
    log: { debug: ignore, info: ignore, warn: console.warn, error: ignore },
    request: { fetch: input.fetch ?? globalThis.fetch, signal: AbortSignal.timeout(input.timeoutMs ?? 30_000) },
  });
  const what = `Opening a pull request from ${head} into ${base} on ${owner}/${repo}`;
  try {
    const { data } = await octokit.rest.pulls.create({ owner, repo, head, base, title: input.title, body: input.body });
    return { number: data.number, url: data.html_url, created: true };
  } catch (error) {
    if (!isAlreadyExists(error)) throw toGitHubError(error, what);
  }
  try {
    const { data } = await octokit.rest.pulls.list({
      owner,
      repo,
      head: head.includes(':') ? head : `${owner}:${head}`,
      base,
      state: 'open',
      per_page: 1,
    });
    const existing = data[0];
    if (existing === undefined) {
      throw new GitHubError('github_failed', `${what}: GitHub says one exists, but lists no open pull request`);
    }
    return { number: existing.number, url: existing.html_url, created: false };
  } catch (error) {
    if (error instanceof GitHubError) throw error;
    throw toGitHubError(error, what);
  }
}
