import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RepositoryRefusedError } from './repository-refused-error.js';
import { githubAuthentication, gitFailureMessage, parseCloneUrl } from './clone-url.js';

describe('parseCloneUrl', () => {
  it('accepts https and file URLs, dropping a user name', () => {
    assert.deepEqual(parseCloneUrl('https://github.com/owner/repo.git'), {
      url: 'https://github.com/owner/repo.git',
      protocol: 'https:',
      localPath: undefined,
    });
    assert.equal(parseCloneUrl('https://someone@example.com/repo.git#frag').url, 'https://example.com/repo.git');
    assert.deepEqual(parseCloneUrl('file:///srv/code/repo'), {
      url: 'file:///srv/code/repo',
      protocol: 'file:',
      localPath: '/srv/code/repo',
    });
  });

  for (const url of [
    'http://example.com/repo.git',
    'ssh://git@example.com/repo.git',
    'git://example.com/repo.git',
    'git@github.com:owner/repo.git',
    'ext::sh -c touch% /tmp/pwned',
    '/srv/code/repo',
    './repo',
    'file://otherhost/srv/repo',
    'https://user:secret@example.com/repo.git',
  ]) {
    it(`refuses ${url}`, () => {
      assert.throws(
        () => parseCloneUrl(url),
        (error: unknown) =>
          error instanceof RepositoryRefusedError &&
          error.code === 'invalid_clone_url' &&
          error.field === 'body.clone_url',
      );
    });
  }
});

describe('githubAuthentication', () => {
  const token = 'ghp_exampletoken1234567890';
  const expectedHeader = `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;

  it('sends the token to github.com only, as a header scoped to that host', () => {
    const authentication = githubAuthentication('https://github.com/owner/private.git', {
      token,
      apiUrl: 'https://api.github.com',
    });
    assert.deepEqual(authentication.environment, {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.https://github.com/.extraHeader',
      GIT_CONFIG_VALUE_0: expectedHeader,
    });
    assert.ok(authentication.secrets.includes(token));
    for (const other of ['https://gitlab.com/owner/repo.git', 'file:///srv/repo', 'https://github.com.evil.com/x']) {
      assert.deepEqual(githubAuthentication(other, { token, apiUrl: 'https://api.github.com' }).environment, {});
    }
    assert.deepEqual(
      githubAuthentication('https://github.com/owner/repo.git', { token: undefined, apiUrl: 'https://api.github.com' })
        .environment,
      {},
    );
  });

  it('uses the GitHub Enterprise host of GITHUB_API_URL', () => {
    const authentication = githubAuthentication('https://ghe.example.com:8443/team/repo.git', {
      token,
      apiUrl: 'https://ghe.example.com/api/v3',
    });
    assert.equal(authentication.environment.GIT_CONFIG_KEY_0, 'http.https://ghe.example.com:8443/.extraHeader');
    assert.deepEqual(
      githubAuthentication('https://github.com/owner/repo.git', { token, apiUrl: 'https://ghe.example.com/api/v3' })
        .environment,
      {},
    );
  });

  it('removes secrets and URL credentials from git messages', () => {
    const message = gitFailureMessage(
      `Cloning into 'x'...\nfatal: could not read from https://x-access-token:${token}@github.com/o/r.git\n`,
      [token],
    );
    assert.equal(message, 'fatal: could not read from https://github.com/o/r.git');
  });
});
