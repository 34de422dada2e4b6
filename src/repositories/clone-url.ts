import { fileURLToPath } from 'node:url';
import { RepositoryRefusedError } from './repository-refused-error.js';

export interface CloneSource {
  /** the URL as stored and cloned: without any user name */
  readonly url: string;
  readonly protocol: 'file:' | 'https:';
  /** for file:// URLs, the local folder it names */
  readonly localPath: string | undefined;
}

const refuse = (message: string) => new RepositoryRefusedError('invalid_clone_url', message, 'body.clone_url');

/**
 * Accepts `https://` and `file://` URLs only (no ssh, git, ext or plain local paths). Credentials in the
 * URL are refused rather than stored: git would write them into the clone's configuration.
 */
export function parseCloneUrl(value: string): CloneSource {
  if (!URL.canParse(value)) throw refuse('must be an https:// or file:// URL');
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'file:') {
    throw refuse(`must be an https:// or file:// URL, not ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.password) throw refuse('must not contain credentials; private GitHub repositories use GITHUB_TOKEN');
  url.username = '';
  url.hash = '';
  if (url.protocol === 'https:') {
    if (!url.hostname) throw refuse('must name a host');
    return { url: url.toString(), protocol: 'https:', localPath: undefined };
  }
  if (url.hostname !== '' && url.hostname !== 'localhost') throw refuse('a file:// URL must not name a host');
  if (url.search) throw refuse('a file:// URL must not have a query');
  return { url: url.toString(), protocol: 'file:', localPath: fileURLToPath(url) };
}

/** The host git serves for a GitHub API URL: github.com for api.github.com, the same host for Enterprise. */
function githubHost(apiUrl: string): string {
  const host = new URL(apiUrl).hostname;
  return host === 'api.github.com' ? 'github.com' : host;
}

export interface GitAuthentication {
  /** environment for git: the credential as configuration that exists only in the git process */
  readonly environment: Record<string, string>;
  /** strings to remove from anything git prints */
  readonly secrets: readonly string[];
}

export const NO_AUTHENTICATION: GitAuthentication = { environment: {}, secrets: [] };

/**
 * For a GitHub (or GITHUB_API_URL's Enterprise host) https URL and a configured token: an Authorization
 * header scoped to that host. It is passed as GIT_CONFIG_* variables, not `-c` arguments, so it shows in
 * neither the process list nor the clone's stored configuration or remote URL.
 */
export function githubAuthentication(
  cloneUrl: string,
  github: { readonly token: string | undefined; readonly apiUrl: string },
): GitAuthentication {
  if (!github.token || !URL.canParse(cloneUrl)) return NO_AUTHENTICATION;
  const url = new URL(cloneUrl);
  const host = githubHost(github.apiUrl);
  if (url.protocol !== 'https:' || url.hostname !== host) return NO_AUTHENTICATION;
  const credential = Buffer.from(`x-access-token:${github.token}`).toString('base64');
  return {
    environment: {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: `http.https://${url.host}/.extraHeader`,
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${credential}`,
    },
    secrets: [github.token, credential],
  };
}

/** Git's own words about a failure, without credentials and without its progress chatter. */
export function gitFailureMessage(stderr: string, secrets: readonly string[]): string {
  let message = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('Cloning into'))
    .join(' ')
    .replace(/\/\/[^/@\s]*@/g, '//');
  for (const secret of secrets) message = message.replaceAll(secret, '***');
  return message.slice(0, 2000) || 'git gave no reason';
}
