import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { GitHubError } from './github-error.js';
import { openPullRequest } from './pull-requests.js';

interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

interface StoredPullRequest {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
  readonly head: string;
  readonly base: string;
  readonly title: string;
  readonly body: string | null;
}

const validToken = 'ghp_valid_token_for_tests';
const prefix = '/api/v3';

/**
 * A local stand-in for the GitHub REST endpoints lvlup uses, answering with GitHub's status codes and
 * (trimmed) response shapes, mounted under /api/v3 the way GitHub Enterprise Server serves its API.
 */
class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly pulls: StoredPullRequest[] = [];
  readonly repositories = new Set(['octo/widgets']);
  private server!: Server;
  apiUrl = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const url = new URL(request.url ?? '/', 'http://localhost');
        const text = Buffer.concat(chunks).toString('utf8');
        const recorded: RecordedRequest = {
          method: request.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: request.headers,
          body: text === '' ? undefined : JSON.parse(text),
        };
        this.requests.push(recorded);
        const [status, payload] = this.answer(recorded);
        response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify(payload));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.apiUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${prefix}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private error(status: number, message: string, extra: Record<string, unknown> = {}): [number, unknown] {
    return [status, { message, ...extra, documentation_url: 'https://docs.github.com/rest', status: String(status) }];
  }

  private answer(request: RecordedRequest): [number, unknown] {
    if (request.headers.authorization !== `token ${validToken}`) return this.error(401, 'Bad credentials');
    const match = new RegExp(`^${prefix}/repos/([^/]+)/([^/]+)/pulls$`).exec(request.path);
    if (!match) return this.error(404, 'Not Found');
    const [, owner = '', repo = ''] = match;
    if (!this.repositories.has(`${owner}/${repo}`)) return this.error(404, 'Not Found');
    if (request.method === 'POST') return this.create(owner, repo, request.body as Record<string, unknown>);
    if (request.method === 'GET') {
      const head = request.query.get('head');
      const base = request.query.get('base');
      const found = this.pulls.filter(
        (pull) =>
          pull.owner === owner &&
          pull.repo === repo &&
          (head === null || `${owner}:${pull.head}` === head) &&
          (base === null || pull.base === base),
      );
      return [200, found.map((pull) => this.shape(pull))];
    }
    return this.error(404, 'Not Found');
  }

  private create(owner: string, repo: string, body: Record<string, unknown>): [number, unknown] {
    const { head, base, title } = body;
    if (typeof head !== 'string' || typeof base !== 'string' || typeof title !== 'string') {
      return this.error(422, 'Invalid request.');
    }
    if (
      this.pulls.some((pull) => pull.owner === owner && pull.repo === repo && pull.head === head && pull.base === base)
    ) {
      return this.error(422, 'Validation Failed', {
        errors: [
          { resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${head}.` },
        ],
      });
    }
    const pull: StoredPullRequest = {
      owner,
      repo,
      number: this.pulls.length + 41,
      head,
      base,
      title,
      body: typeof body.body === 'string' ? body.body : null,
    };
    this.pulls.push(pull);
    return [201, this.shape(pull)];
  }

  private shape(pull: StoredPullRequest): Record<string, unknown> {
    const api = `${this.apiUrl}/repos/${pull.owner}/${pull.repo}`;
    const web = `https://github.example.com/${pull.owner}/${pull.repo}`;
    return {
      url: `${api}/pulls/${pull.number}`,
      id: 1_000_000 + pull.number,
      node_id: `PR_kwDO${pull.number}`,
      html_url: `${web}/pull/${pull.number}`,
      diff_url: `${web}/pull/${pull.number}.diff`,
      patch_url: `${web}/pull/${pull.number}.patch`,
      issue_url: `${api}/issues/${pull.number}`,
      number: pull.number,
      state: 'open',
      locked: false,
      title: pull.title,
      user: { login: 'lvlup-bot', id: 7, type: 'Bot' },
      body: pull.body,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      closed_at: null,
      merged_at: null,
      merge_commit_sha: null,
      draft: false,
      head: { label: `${pull.owner}:${pull.head}`, ref: pull.head, sha: 'a'.repeat(40) },
      base: { label: `${pull.owner}:${pull.base}`, ref: pull.base, sha: 'b'.repeat(40) },
    };
  }
}

describe('openPullRequest', () => {
  const github = new FakeGitHub();
  const request = () => ({
    owner: 'octo',
    repo: 'widgets',
    head: 'lvlup/1a2b3c4d',
    base: 'main',
    title: 'Guardian: parameterise the SQL query',
    body: 'Proposal 1a2b3c4d\n\nAccepted by alice.',
    token: validToken,
    apiUrl: github.apiUrl,
  });

  before(() => github.start());
  after(() => github.stop());
  beforeEach(() => {
    github.requests.length = 0;
    github.pulls.length = 0;
  });

  it('opens a pull request with the token, head, base, title and body', async () => {
    const pull = await openPullRequest(request());

    assert.deepEqual(pull, { number: 41, url: 'https://github.example.com/octo/widgets/pull/41', created: true });
    assert.equal(github.requests.length, 1);
    const [sent] = github.requests;
    assert.equal(sent?.method, 'POST');
    assert.equal(sent?.path, '/api/v3/repos/octo/widgets/pulls');
    assert.equal(sent?.headers.authorization, `token ${validToken}`);
    assert.match(sent?.headers['user-agent'] ?? '', /^lvlup /);
    assert.deepEqual(sent?.body, {
      head: 'lvlup/1a2b3c4d',
      base: 'main',
      title: 'Guardian: parameterise the SQL query',
      body: 'Proposal 1a2b3c4d\n\nAccepted by alice.',
    });
  });

  it('returns the open pull request when one already exists for the head (idempotent)', async () => {
    const first = await openPullRequest(request());
    const second = await openPullRequest(request());

    assert.deepEqual(second, { ...first, created: false });
    assert.equal(github.pulls.length, 1);
    const lookup = github.requests.at(-1)!;
    assert.equal(lookup.method, 'GET');
    assert.equal(lookup.query.get('head'), 'octo:lvlup/1a2b3c4d');
    assert.equal(lookup.query.get('base'), 'main');
    assert.equal(lookup.query.get('state'), 'open');
  });

  it('fails with github_auth_failed for a bad token, without the token in the message', async () => {
    const attempt = openPullRequest({ ...request(), token: 'ghp_wrong_secret' });

    await assert.rejects(attempt, (error: unknown) => {
      assert.ok(error instanceof GitHubError);
      assert.equal(error.code, 'github_auth_failed');
      assert.equal(error.status, 401);
      assert.doesNotMatch(error.message, /ghp_wrong_secret/);
      return true;
    });
    assert.equal(github.pulls.length, 0);
  });

  it('fails with github_not_found for a repository the token cannot see', async () => {
    await assert.rejects(
      openPullRequest({ ...request(), repo: 'secret-project' }),
      (error: unknown) => error instanceof GitHubError && error.code === 'github_not_found' && error.status === 404,
    );
  });

  it('fails with github_failed when GitHub cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    await assert.rejects(
      openPullRequest({ ...request(), apiUrl: `http://127.0.0.1:${port}/api/v3` }),
      (error: unknown) => error instanceof GitHubError && error.code === 'github_failed' && error.status === undefined,
    );
  });

  it('sends every request through an injected fetch', async () => {
    const seen: string[] = [];
    const fetch: typeof globalThis.fetch = (resource, init) => {
      seen.push(`${init?.method ?? 'GET'} ${resource instanceof Request ? resource.url : String(resource)}`);
      return globalThis.fetch(resource, init);
    };

    await openPullRequest({ ...request(), fetch });
    await openPullRequest({ ...request(), fetch });

    assert.deepEqual(seen, [
      `POST ${github.apiUrl}/repos/octo/widgets/pulls`,
      `POST ${github.apiUrl}/repos/octo/widgets/pulls`,
      `GET ${github.apiUrl}/repos/octo/widgets/pulls?head=octo%3Alvlup%2F1a2b3c4d&base=main&state=open&per_page=1`,
    ]);
  });
});
