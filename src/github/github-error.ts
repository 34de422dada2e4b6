export type GitHubErrorCode = 'github_auth_failed' | 'github_not_found' | 'github_failed';

/** A failed call to GitHub (API or git push). The message never contains the token. */
export class GitHubError extends Error {
  constructor(
    readonly code: GitHubErrorCode,
    message: string,
    /** the HTTP status GitHub answered with, when there was an answer */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GitHubError';
  }
}
