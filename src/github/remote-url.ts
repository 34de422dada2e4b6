export interface GitHubRepository {
  readonly owner: string;
  readonly repo: string;
}

const namePattern = /^[A-Za-z0-9_.-]+$/;

function repositoryFromPath(pathname: string): GitHubRepository | undefined {
  const segments = pathname.replace(/^\/+/, '').replace(/\/+$/, '').split('/');
  if (segments.length !== 2) return undefined;
  const owner = segments[0]!;
  const repo = segments[1]!.replace(/\.git$/, '');
  if (!namePattern.test(owner) || !namePattern.test(repo) || repo === '.' || repo === '..') return undefined;
  return { owner, repo };
}

/**
 * The owner and repository of a GitHub remote: `https://github.com/o/r(.git)`, `ssh://git@github.com/o/r.git`
 * or `git@github.com:o/r.git`. `host` is the web host to accept (github.com, or a GitHub Enterprise host,
 * see gitHubHostFromApiUrl); any other host, or a path that is not exactly owner/repo, gives undefined.
 */
export function parseGitHubRemote(url: string, host = 'github.com'): GitHubRepository | undefined {
  const expectedHost = host.toLowerCase();
  const scpLike = /^(?:[A-Za-z0-9_.-]+@)?([^/:@]+):(?!\/)(.+)$/.exec(url);
  if (scpLike && !url.includes('://')) {
    return scpLike[1]!.toLowerCase() === expectedHost ? repositoryFromPath(scpLike[2]!) : undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (!['https:', 'http:', 'ssh:', 'git:'].includes(parsed.protocol)) return undefined;
  if (parsed.hostname.toLowerCase() !== expectedHost) return undefined;
  return repositoryFromPath(decodeURIComponent(parsed.pathname));
}

/** The web host that belongs to a REST API base URL: api.github.com → github.com, ghe.example.com/api/v3 → itself. */
export function gitHubHostFromApiUrl(apiUrl: string): string {
  const hostname = new URL(apiUrl).hostname.toLowerCase();
  return hostname === 'api.github.com' ? 'github.com' : hostname;
}
