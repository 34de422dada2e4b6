import { spawn } from 'node:child_process';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGitHub {
  /** e.g. http://127.0.0.1:1234 ; the REST API is under /api/v3 (as on GitHub Enterprise) */
  readonly url: string;
  readonly apiUrl: string;
  readonly pullRequests: { owner: string; repo: string; head: string; base: string; title: string; body: string }[];
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Serves git's smart HTTP protocol for repositories under `root` through git's own CGI program. */
function gitHttpBackend(root: string, request: IncomingMessage, response: ServerResponse, body: Buffer) {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      REMOTE_USER: 'x-access-token',
      REQUEST_METHOD: request.method,
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: request.headers['content-type'] ?? '',
      CONTENT_LENGTH: String(body.length),
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
    },
  });
  const output: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
  child.on('close', () => {
    const all = Buffer.concat(output);
    const split = all.indexOf('\r\n\r\n');
    const headerText = all.subarray(0, split).toString();
    let status = 200;
    for (const line of headerText.split('\r\n')) {
      const [name, ...rest] = line.split(':');
      const value = rest.join(':').trim();
      if (name?.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
      else if (name) response.setHeader(name, value);
    }
    response.statusCode = status;
    response.end(all.subarray(split + 4));
  });
  child.stdin.end(body);
}

/**
 * A local stand-in for the GitHub endpoints lvlup uses: git push over smart HTTP (with the token checked
 * the way GitHub checks it, as Basic x-access-token) and the pull-request REST calls, with GitHub's
 * response shapes.
 */
export async function startFakeGitHub(options: { gitRoot: string; token: string }): Promise<FakeGitHub> {
  const pullRequests: FakeGitHub['pullRequests'] = [];
  const expectedBasic = `Basic ${Buffer.from(`x-access-token:${options.token}`).toString('base64')}`;
  const server = http.createServer((request, response) => {
    void readBody(request).then((body) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const api = /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(url.pathname);
      if (api) {
        if (request.headers.authorization !== `token ${options.token}`) {
          response
            .writeHead(401, { 'content-type': 'application/json' })
            .end(JSON.stringify({ message: 'Bad credentials' }));
          return;
        }
        const [, owner, repo] = api as unknown as [string, string, string];
        if (request.method === 'POST') {
          const input = JSON.parse(body.toString()) as { head: string; base: string; title: string; body: string };
          pullRequests.push({ owner, repo, ...input });
          const number = pullRequests.length;
          response.writeHead(201, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              id: 1000 + number,
              number,
              state: 'open',
              html_url: `${address}/${owner}/${repo}/pull/${number}`,
              head: { ref: input.head },
              base: { ref: input.base },
            }),
          );
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('[]');
        return;
      }
      if (request.headers.authorization !== expectedBasic) {
        response.writeHead(401, { 'www-authenticate': 'Basic realm="GitHub"' }).end();
        return;
      }
      gitHttpBackend(options.gitRoot, request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: address,
    apiUrl: `${address}/api/v3`,
    pullRequests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
