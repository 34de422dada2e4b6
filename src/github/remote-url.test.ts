import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gitHubHostFromApiUrl, parseGitHubRemote } from './remote-url.js';

describe('parseGitHubRemote', () => {
  for (const url of [
    'https://github.com/octo/widgets',
    'https://github.com/octo/widgets.git',
    'https://github.com/octo/widgets/',
    'https://x-access-token:secret@github.com/octo/widgets.git',
    'https://GitHub.com/octo/widgets.git',
    'git@github.com:octo/widgets.git',
    'git@github.com:octo/widgets',
    'ssh://git@github.com/octo/widgets.git',
  ]) {
    it(`reads octo/widgets from ${url}`, () => {
      assert.deepEqual(parseGitHubRemote(url), { owner: 'octo', repo: 'widgets' });
    });
  }

  it('keeps dots, dashes and underscores in names', () => {
    assert.deepEqual(parseGitHubRemote('https://github.com/my-org/some_repo.js.git'), {
      owner: 'my-org',
      repo: 'some_repo.js',
    });
  });

  it('accepts a GitHub Enterprise host only when asked for it', () => {
    assert.deepEqual(parseGitHubRemote('https://ghe.example.com/team/app.git', 'ghe.example.com'), {
      owner: 'team',
      repo: 'app',
    });
    assert.deepEqual(parseGitHubRemote('git@ghe.example.com:team/app.git', 'ghe.example.com'), {
      owner: 'team',
      repo: 'app',
    });
    assert.equal(parseGitHubRemote('https://ghe.example.com/team/app.git'), undefined);
    assert.equal(parseGitHubRemote('https://github.com/team/app.git', 'ghe.example.com'), undefined);
  });

  for (const url of [
    'https://gitlab.com/octo/widgets.git',
    'https://github.com.evil.example/octo/widgets',
    'https://github.com/octo',
    'https://github.com/octo/widgets/tree/main',
    'https://github.com/octo/..',
    'file:///srv/git/widgets.git',
    '/srv/git/widgets.git',
    'github.com/octo/widgets',
    'not a url',
    '',
  ]) {
    it(`rejects ${JSON.stringify(url)}`, () => {
      assert.equal(parseGitHubRemote(url), undefined);
    });
  }
});

describe('gitHubHostFromApiUrl', () => {
  it('maps api.github.com to github.com and keeps Enterprise hosts', () => {
    assert.equal(gitHubHostFromApiUrl('https://api.github.com'), 'github.com');
    assert.equal(gitHubHostFromApiUrl('https://GHE.example.com/api/v3'), 'ghe.example.com');
  });
});
