import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { git } from '../git/git.js';
import { GitHubError } from './github-error.js';
import { pushBranch } from './push-branch.js';

const token = 'ghp_push_secret_for_tests';
const basic = Buffer.from(`x-access-token:${token}`).toString('base64');

async function run(cwd: string, ...args: string[]): Promise<string> {
  return (await git(args, { cwd })).stdout.trim();
}

describe('pushBranch', () => {
  let sandbox: string;
  let repository: string;
  let remote: string;
  let commit: string;
  /** answers git's smart-HTTP discovery with 401, the way GitHub answers a rejected token */
  let gitServer: Server;
  let gitServerUrl: string;
  const seenHeaders: IncomingHttpHeaders[] = [];

  before(async () => {
    sandbox = await mkdtemp(path.join(os.tmpdir(), 'lvlup-push-'));
    repository = path.join(sandbox, 'repository');
    remote = path.join(sandbox, 'remote.git');
    await run(sandbox, 'init', '--quiet', '-b', 'main', repository);
    await run(sandbox, 'init', '--quiet', '--bare', remote);
    await writeFile(path.join(repository, 'file.txt'), 'content\n');
    await run(repository, 'add', 'file.txt');
    await run(repository, 'commit', '--quiet', '-m', 'initial');
    await run(repository, 'branch', 'lvlup/1a2b3c4d');
    commit = await run(repository, 'rev-parse', 'HEAD');

    gitServer = createServer((request, response) => {
      seenHeaders.push(request.headers);
      response.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"', 'content-type': 'text/plain' });
      response.end('Invalid username or token.');
    });
    await new Promise<void>((resolve) => gitServer.listen(0, '127.0.0.1', resolve));
    gitServerUrl = `http://127.0.0.1:${(gitServer.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => gitServer.close(resolve));
    await rm(sandbox, { recursive: true, force: true });
  });

  it('pushes the branch to the remote, again without error, and stores no token', async () => {
    const configBefore = await readFile(path.join(repository, '.git', 'config'), 'utf8');

    await pushBranch({ repositoryPath: repository, remoteUrl: remote, branch: 'lvlup/1a2b3c4d', token });
    await pushBranch({ repositoryPath: repository, remoteUrl: remote, branch: 'lvlup/1a2b3c4d', token });

    assert.equal(await run(remote, 'rev-parse', 'refs/heads/lvlup/1a2b3c4d'), commit);
    assert.equal(await run(remote, 'for-each-ref', '--format=%(refname)'), 'refs/heads/lvlup/1a2b3c4d');
    assert.equal(await readFile(path.join(repository, '.git', 'config'), 'utf8'), configBefore);
  });

  it('sends the token as a Basic header to the remote’s host and keeps it out of the error', async () => {
    seenHeaders.length = 0;
    const attempt = pushBranch({
      repositoryPath: repository,
      remoteUrl: `${gitServerUrl}/octo/widgets.git`,
      branch: 'lvlup/1a2b3c4d',
      token,
    });

    await assert.rejects(attempt, (error: unknown) => {
      assert.ok(error instanceof GitHubError);
      assert.equal(error.code, 'github_auth_failed');
      assert.doesNotMatch(error.message, new RegExp(`${token}|${basic}`));
      assert.doesNotMatch(String(error.stack), new RegExp(`${token}|${basic}`));
      return true;
    });
    assert.ok(seenHeaders.length > 0);
    assert.equal(seenHeaders[0]?.authorization, `Basic ${basic}`);
  });

  it('scrubs credentials written into the remote URL from the error', async () => {
    await assert.rejects(
      pushBranch({
        repositoryPath: repository,
        remoteUrl: `${gitServerUrl.replace('http://', 'http://someone:hunter2@')}/octo/widgets.git`,
        branch: 'lvlup/1a2b3c4d',
        token,
      }),
      (error: unknown) => error instanceof GitHubError && !error.message.includes('hunter2'),
    );
  });

  it('reports a missing remote as github_not_found and a bad branch name before pushing', async () => {
    await assert.rejects(
      pushBranch({ repositoryPath: repository, remoteUrl: path.join(sandbox, 'missing.git'), branch: 'main', token }),
      (error: unknown) => error instanceof GitHubError && error.code === 'github_not_found',
    );
    for (const branch of ['--force', 'bad..name', '']) {
      await assert.rejects(
        pushBranch({ repositoryPath: repository, remoteUrl: remote, branch, token }),
        (error: unknown) => error instanceof GitHubError && /not a valid branch name/.test(error.message),
      );
    }
    await assert.rejects(
      pushBranch({ repositoryPath: repository, remoteUrl: '--upload-pack=touch /tmp/x', branch: 'main', token }),
      (error: unknown) => error instanceof GitHubError && error.code === 'github_failed',
    );
  });

  it('refuses a token that would break the header line', async () => {
    await assert.rejects(
      pushBranch({ repositoryPath: repository, remoteUrl: remote, branch: 'main', token: 'abc\r\nX-Evil: 1' }),
      (error: unknown) => error instanceof GitHubError && !error.message.includes('X-Evil'),
    );
  });
});
