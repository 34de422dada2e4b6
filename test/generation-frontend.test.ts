import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { appSpecSchema } from '../src/generation/app-spec.js';
import { collectionPath, modelFromSpec, type AppModel } from '../src/generation/app-model.js';
import { frontendOf } from '../src/generation/frontend/frontend.js';
import { infrastructureOf } from '../src/generation/infrastructure/infrastructure.js';
import { openApiDocumentOf } from '../src/generation/openapi-document.js';

// Stages 6 and 7. The generated web app is installed, type-checked and built for real, so the API client
// written from the OpenAPI document and the views written from the model are proved to agree.

const blog = JSON.parse(readFileSync(new URL('./fixtures/app-specs/blog.json', import.meta.url), 'utf8')) as {
  name: string;
  description: string;
  spec: unknown;
};

/** No accounts; nesting two deep, every field type, links to nested and unlistable resources, partial operations. */
const taskBoard = {
  name: 'task board',
  description: 'Projects, their tasks and subtasks, and the people doing them.',
  spec: {
    entities: [
      {
        name: 'Person',
        pagination: false,
        operations: ['list', 'get', 'create'],
        fields: [
          { name: 'display_name', type: 'string', required: true },
          { name: 'homepage', type: 'url' },
          { name: 'badge', type: 'uuid' },
        ],
      },
      {
        name: 'Project',
        fields: [
          { name: 'name', type: 'string', required: true, unique: true },
          { name: 'budget', type: 'number', minimum: 0 },
          { name: 'archived', type: 'boolean', required: true },
          { name: 'starts_at', type: 'datetime' },
          { name: 'kickoff', type: 'datetime', required: true, description: 'when it "starts" */ for real' },
        ],
        relations: [{ name: 'owner', kind: 'belongs_to', target: 'Person' }],
      },
      {
        name: 'Task',
        parent: 'Project',
        fields: [
          { name: 'title', type: 'string', required: true },
          { name: 'done', type: 'boolean' },
          { name: 'priority', type: 'enum', values: ['low', "it's urgent"] },
          { name: 'due', type: 'date' },
          { name: 'estimate', type: 'integer', minimum: 1, maximum: 100, required: true },
          { name: 'contact', type: 'email' },
        ],
        relations: [
          { name: 'project', kind: 'belongs_to', target: 'Project', required: true },
          { name: 'assignee', kind: 'belongs_to', target: 'Person' },
          { name: 'blocked_by', kind: 'many_to_many', target: 'Task' },
        ],
      },
      {
        name: 'Subtask',
        parent: 'Task',
        operations: ['list', 'create', 'update', 'delete'],
        fields: [{ name: 'note', type: 'text', required: true }],
        relations: [
          { name: 'task', kind: 'belongs_to', target: 'Task', required: true },
          { name: 'reviewer', kind: 'belongs_to', target: 'Task' },
        ],
      },
      {
        name: 'Label',
        operations: ['create'],
        fields: [{ name: 'code', type: 'integer' }],
        relations: [{ name: 'people', kind: 'many_to_many', target: 'Person' }],
      },
    ],
  },
};

function modelOf(project: { name: string; description: string; spec: unknown }): AppModel {
  return modelFromSpec(project, appSpecSchema.parse(project.spec));
}

function writeFiles(root: string, files: Readonly<Record<string, string>>) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** Runs a command; on failure the assertion shows what it printed. */
function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  return new Promise<string>((resolve, reject) => {
    execFile(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed:\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

const npmCache = join(tmpdir(), 'lvlup-npm-cache');
const workspaces: string[] = [];
after(() => {
  for (const workspace of workspaces) rmSync(workspace, { recursive: true, force: true });
});

/** Generates the web app into a new folder with a package.json of the frontend's contribution, and installs it. */
async function installedApp(model: AppModel) {
  const document = openApiDocumentOf(model);
  const { files, contribution } = frontendOf(model, document);
  const root = mkdtempSync(join(tmpdir(), 'lvlup-frontend-'));
  workspaces.push(root);
  writeFiles(root, files);
  writeFileSync(
    join(root, 'package.json'),
    `${JSON.stringify({ name: model.name, private: true, type: 'module', ...contribution }, null, 2)}\n`,
  );
  const started = performance.now();
  await run(
    'npm',
    ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--cache', npmCache],
    root,
  );
  const installSeconds = ((performance.now() - started) / 1000).toFixed(1);
  return { root, files, document, installSeconds };
}

const operationIdsOf = (document: Record<string, unknown>) =>
  Object.values(document.paths as Record<string, Record<string, { operationId: string }>>).flatMap((item) =>
    Object.values(item).map((operation) => operation.operationId),
  );

function assertBuilt(root: string) {
  const built = readFileSync(join(root, 'dist/web/index.html'), 'utf8');
  assert.match(built, /<div id="root"><\/div>/);
  const bundles = readdirSync(join(root, 'dist/web/assets')).filter((file) => file.endsWith('.js'));
  assert.equal(bundles.length, 1, 'one JavaScript bundle');
  assert.match(built, new RegExp(`src="/assets/${bundles[0]!.replace(/\./g, '\\.')}"`), 'the page loads the bundle');
  return readFileSync(join(root, 'dist/web/assets', bundles[0]!), 'utf8');
}

describe('stage 6: the web app', { timeout: 900_000 }, () => {
  it('builds the blog: every operation has a client function, the views type-check against it', async (context) => {
    const model = modelOf(blog);
    const { root, files, document, installSeconds } = await installedApp(model);
    context.diagnostic(`npm install took ${installSeconds}s (cache ${npmCache})`);

    const api = files['web/src/api.ts']!;
    const operationIds = operationIdsOf(document);
    assert.equal(operationIds.length, 2 + 4 * 5, 'register, login and five operations of each of four resources');
    for (const operationId of operationIds)
      assert.match(api, new RegExp(`^export async function ${operationId}\\(`, 'm'), operationId);
    assert.match(
      api,
      /export async function listComments\(params: \{ post_id: string; limit\?: number; offset\?: number \}\)/,
    );
    assert.match(api, /export async function listTags\(\): Promise<Tag\[\]>/, 'an unpaginated list answers an array');
    assert.match(api, /export async function createPost\(body: PostInput\): Promise<Post> \{\n.*secured: true/);
    assert.match(api, /export async function getPost\(params: \{ id: string \}\): Promise<Post> \{\n.*secured: false/);
    assert.match(api, /status: 'draft' \| 'published';/);
    assert.ok(files['web/src/auth.tsx'], 'a sign-in page, since posts need an account to write');
    assert.match(files['web/src/routes.tsx']!, /pattern: '\/posts\/:post_id\/comments\/:id\/edit'/);
    assert.match(
      files['web/src/views/posts.tsx']!,
      /<CommentList parents=\{\{ post_id: id \}\} \/>/,
      'comments are reached from their post',
    );
    assert.match(files['web/src/views/posts.tsx']!, /kind: 'references', name: 'tag_ids'/);

    await run('npm', ['run', 'typecheck:web'], root);
    await run('npm', ['run', 'build:web'], root);
    const bundle = assertBuilt(root);
    for (const testId of ['posts-list', 'posts-form', 'confirm-delete', 'auth-email', 'pager-next'])
      assert.ok(bundle.includes(testId), `the bundle renders data-testid ${testId}`);

    // the check has teeth: a view calling a function the client does not have fails to compile
    writeFileSync(
      join(root, 'web/src/api.ts'),
      api.replace('export async function deletePost(', 'export async function removePost('),
    );
    await assert.rejects(run('npm', ['run', 'typecheck:web'], root), /Property 'deletePost' does not exist/);
  });

  it('builds an app without accounts, with deep nesting, every field type and partial operations', async (context) => {
    const model = modelOf(taskBoard);
    assert.equal(model.auth, false);
    const { root, files, document, installSeconds } = await installedApp(model);
    context.diagnostic(`npm install took ${installSeconds}s with a warm cache`);

    const api = files['web/src/api.ts']!;
    for (const operationId of operationIdsOf(document))
      assert.match(api, new RegExp(`^export async function ${operationId}\\(`, 'm'), operationId);
    assert.doesNotMatch(api, /readToken|Authorization|secured/i, 'no token handling without accounts');
    assert.equal(files['web/src/auth.tsx'], undefined);
    assert.match(api, /priority\?: 'low' \| 'it\\'s urgent' \| null;/);
    const subtasks = files['web/src/views/subtasks.tsx']!;
    assert.doesNotMatch(subtasks, /SubtaskDetail/, 'subtasks have no get operation');
    assert.match(subtasks, /\n +partial\n/, 'without a get, an edit sends only what was filled in');
    assert.match(subtasks, /kind: 'uuid', name: 'reviewer_id'/, 'a nested target cannot be listed: its id is typed');
    const tasks = files['web/src/views/tasks.tsx']!;
    assert.match(tasks, /kind: 'datetime'|kind: 'date', name: 'due'/);
    assert.match(tasks, /kind: 'enum', name: 'priority'.*values: \['low', 'it\\'s urgent'\]/);
    assert.match(tasks, /kind: 'boolean', name: 'done'/);
    assert.match(
      tasks,
      /kind: 'integer', name: 'estimate', label: 'Estimate', required: true, minimum: 1, maximum: 100/,
    );
    assert.match(tasks, /kind: 'reference', name: 'assignee_id'.*load: personOptions/);
    assert.match(tasks, /<SubtaskList parents=\{\{ \.\.\.parents, task_id: id \}\} \/>/);
    assert.match(files['web/src/views/projects.tsx']!, /kind: 'datetime', name: 'kickoff'/);
    assert.match(
      files['web/src/app.tsx']!,
      /<Link to="\/labels\/new" testId="nav-labels">/,
      'a create-only resource is reached by its form',
    );

    await run('npm', ['run', 'typecheck:web'], root);
    await run('npm', ['run', 'build:web'], root);
    assertBuilt(root);
  });

  it('writes a client that sends the token only where the document asks, reads totals and throws problems', async () => {
    const model = modelOf(blog);
    const root = mkdtempSync(join(tmpdir(), 'lvlup-api-client-'));
    workspaces.push(root);
    writeFileSync(join(root, 'api.ts'), frontendOf(model, openApiDocumentOf(model)).files['web/src/api.ts']!);
    const requests: { url: string; method: string; headers: Record<string, string>; body: unknown }[] = [];
    const answers: Response[] = [];
    const storage = new Map<string, string>();
    const tokenEvents: string[] = [];
    const browser = {
      localStorage: {
        getItem: (key: string) => storage.get(key) ?? null,
        setItem: (key: string, value: string) => void storage.set(key, value),
        removeItem: (key: string) => void storage.delete(key),
      },
      dispatchEvent: (event: Event) => tokenEvents.push(event.type) > 0,
    };
    const realFetch = globalThis.fetch;
    Object.assign(globalThis, {
      window: browser,
      fetch: async (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => {
        requests.push({ url, method: init.method, headers: init.headers, body: init.body && JSON.parse(init.body) });
        const answer = answers.shift();
        assert.ok(answer, `an answer for ${init.method} ${url}`);
        return answer;
      },
    });
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
    const problem = (status: number, title: string, detail: string) =>
      new Response(JSON.stringify({ title, status, detail }), {
        status,
        headers: { 'content-type': 'application/problem+json' },
      });
    try {
      const api = (await import(pathToFileURL(join(root, 'api.ts')).href)) as {
        storeToken(token: { token: string; expires_at: string }): void;
        readToken(): string | undefined;
        listPosts(params: { limit?: number; offset?: number }): Promise<{ items: unknown[]; total: number }>;
        getPost(params: { id: string }): Promise<unknown>;
        createPost(body: unknown): Promise<unknown>;
      };
      answers.push(json(200, [{ id: 'p1' }], { 'X-Total-Count': '41' }));
      assert.deepEqual(await api.listPosts({ limit: 20, offset: 20 }), { items: [{ id: 'p1' }], total: 41 });
      assert.equal(requests.at(-1)?.url, '/api/posts?limit=20&offset=20');

      const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
      api.storeToken({ token: 'secret-token', expires_at: inAnHour });
      const post = { title: 'Hello', status: 'draft', author_id: 'a1' };
      answers.push(json(201, { id: 'p2', ...post }));
      assert.deepEqual(await api.createPost(post), { id: 'p2', ...post });
      assert.deepEqual(requests.at(-1), {
        url: '/api/posts',
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          authorization: 'Bearer secret-token',
        },
        body: post,
      });
      answers.push(json(200, { id: 'a b' }));
      await api.getPost({ id: 'a b' });
      assert.equal(requests.at(-1)?.url, '/api/posts/a%20b');
      assert.equal(requests.at(-1)?.headers.authorization, undefined, 'reading posts needs no account');

      answers.push(problem(409, 'Conflict', 'the title is taken'));
      await assert.rejects(api.createPost(post), {
        name: 'ApiError',
        status: 409,
        message: 'Conflict: the title is taken',
      });
      answers.push(new Response('upstream down', { status: 502, headers: { 'content-type': 'text/plain' } }));
      await assert.rejects(api.createPost(post), { status: 502, message: 'HTTP 502: upstream down' });

      answers.push(problem(401, 'Unauthorized', 'the token has expired'));
      await assert.rejects(api.createPost(post), { status: 401 });
      assert.equal(api.readToken(), undefined, 'a refused token is forgotten');
      assert.deepEqual(tokenEvents, ['api-token-change', 'api-token-change']);

      api.storeToken({ token: 'old-token', expires_at: new Date(Date.now() - 1000).toISOString() });
      assert.equal(api.readToken(), undefined, 'an expired token is not sent');
    } finally {
      Object.assign(globalThis, { fetch: realFetch });
      Reflect.deleteProperty(globalThis, 'window');
    }
  });

  it('is a pure function of the model and the document', () => {
    for (const project of [blog, taskBoard]) {
      const first = frontendOf(modelOf(project), openApiDocumentOf(modelOf(project)));
      const second = frontendOf(modelOf(project), openApiDocumentOf(modelOf(project)));
      assert.equal(JSON.stringify(first), JSON.stringify(second));
      assert.deepEqual(Object.keys(first.contribution.scripts).sort(), [
        'build',
        'build:web',
        'dev:web',
        'typecheck',
        'typecheck:web',
      ]);
      for (const version of Object.values({
        ...first.contribution.dependencies,
        ...first.contribution.devDependencies,
      }))
        assert.match(version, /^\d+\.\d+\.\d+$/, 'exact versions');
    }
  });
});

interface ComposeService {
  build?: string;
  image?: string;
  ports?: string[];
  environment: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}

interface Manifest {
  kind: string;
  metadata: { name: string };
}

type Labels = Record<string, string>;

interface Deployment extends Manifest {
  spec: {
    selector: { matchLabels: Labels };
    template: {
      metadata: { labels: Labels };
      spec: { securityContext: { runAsNonRoot: boolean }; containers: Container[] };
    };
  };
}

interface Container {
  ports: { name: string; containerPort: number }[];
  readinessProbe: { httpGet: unknown };
  livenessProbe: { httpGet: unknown };
  resources: { limits: Labels; requests: Labels };
  envFrom: { configMapRef: { name: string } }[];
  env: { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }[];
}

interface Service extends Manifest {
  spec: { selector: Labels; ports: { targetPort: string }[] };
}

describe('stage 7: containers, Kubernetes and the README', () => {
  const model = modelOf(blog);
  const files = infrastructureOf(model, ['web', 'api']);

  it('writes a two-stage Dockerfile whose health check works', async () => {
    const dockerfile = files.Dockerfile!;
    assert.match(dockerfile, /^FROM node:20-slim AS build$/m);
    assert.match(dockerfile, /^FROM node:20-slim AS runtime$/m);
    assert.match(dockerfile, /^RUN npm ci\b/m);
    assert.match(dockerfile, /^RUN npm run build$/m);
    assert.match(dockerfile, /^COPY --from=build \/app \/app$/m);
    assert.match(dockerfile, /^USER node$/m);
    assert.match(dockerfile, /^EXPOSE 3000$/m);
    assert.match(files['.dockerignore']!, /^node_modules$/m);

    // the HEALTHCHECK command, run as the image runs it, against a server that answers and one that does not
    const command = /^ {2}CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    const [executable, flag, script] = JSON.parse(command!) as string[];
    assert.deepEqual([executable, flag], ['node', '-e']);
    const served: string[] = [];
    const server = createServer((request, response) => {
      served.push(request.url ?? '');
      response.writeHead(request.url === '/api/openapi.json' ? 200 : 404).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = String((server.address() as AddressInfo).port);
    try {
      await run(process.execPath, ['-e', script!], process.cwd(), { ...process.env, PORT: port });
      assert.deepEqual(served, ['/api/openapi.json']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    await assert.rejects(run(process.execPath, ['-e', script!], process.cwd(), { ...process.env, PORT: port }));
  });

  it('writes compose.yaml: the app on PostgreSQL, waiting for it to be healthy, its data on a volume', () => {
    const compose = parse(files['compose.yaml']!) as {
      services: Record<string, ComposeService>;
      volumes: Record<string, unknown>;
    };
    const { app, db } = compose.services;
    assert.match(app!.environment.DATABASE_URL ?? '', /^postgres:\/\/app:app@db:5432\/app$/);
    assert.deepEqual(app!.ports, ['3000:3000']);
    assert.equal(app!.build, '.');
    assert.deepEqual(app!.depends_on, { db: { condition: 'service_healthy' } });
    assert.match(db!.image ?? '', /^postgres:\d+$/);
    assert.equal(db!.environment.POSTGRES_DB, 'app');
    assert.match(db!.healthcheck?.test.join(' ') ?? '', /pg_isready -U app -d app/);
    assert.deepEqual(db!.volumes, ['database:/var/lib/postgresql/data']);
    assert.ok('database' in compose.volumes);
  });

  it('writes Kubernetes manifests that refer to each other by the right names', () => {
    assert.deepEqual(
      Object.keys(files)
        .filter((path) => path.startsWith('k8s/'))
        .sort(),
      ['k8s/configmap.yaml', 'k8s/deployment.yaml', 'k8s/secret.yaml', 'k8s/service.yaml'],
    );
    const deployment = parse(files['k8s/deployment.yaml']!) as Deployment;
    const service = parse(files['k8s/service.yaml']!) as Service;
    const secret = parse(files['k8s/secret.yaml']!) as Manifest & { stringData: Record<string, string> };
    const configMap = parse(files['k8s/configmap.yaml']!) as Manifest & { data: Record<string, string> };
    assert.deepEqual(
      [deployment.kind, service.kind, secret.kind, configMap.kind],
      ['Deployment', 'Service', 'Secret', 'ConfigMap'],
    );
    const container = deployment.spec.template.spec.containers[0]!;
    assert.deepEqual(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels);
    assert.deepEqual(service.spec.selector, deployment.spec.template.metadata.labels);
    assert.deepEqual(container.ports, [{ name: 'http', containerPort: 3000 }]);
    assert.equal(service.spec.ports[0]?.targetPort, 'http');
    for (const probe of [container.readinessProbe, container.livenessProbe])
      assert.deepEqual(probe.httpGet, { path: '/api/openapi.json', port: 'http' });
    assert.ok(container.resources.limits.cpu && container.resources.limits.memory);
    assert.ok(container.resources.requests.cpu && container.resources.requests.memory);
    assert.equal(container.envFrom[0]?.configMapRef.name, configMap.metadata.name);
    const databaseUrl = container.env.find((variable) => variable.name === 'DATABASE_URL');
    assert.equal(databaseUrl?.valueFrom.secretKeyRef.name, secret.metadata.name);
    assert.ok(databaseUrl.valueFrom.secretKeyRef.key in secret.stringData);
    assert.match(files['k8s/secret.yaml']!, /PLACEHOLDER/, 'the secret says it is not a working value');
    assert.deepEqual(Object.keys(configMap.data).sort(), ['DATA_DIR', 'HOST', 'NODE_ENV', 'PORT']);
    assert.equal(deployment.spec.template.spec.securityContext.runAsNonRoot, true);

    const oddName = infrastructureOf({ ...model, name: '3d-shop' }, ['api']);
    assert.equal((parse(oddName['k8s/service.yaml']!) as Service).metadata.name, 'app-3d-shop');
  });

  it('writes a README that names every route and how to run, check and ship the app', () => {
    const readme = files['README.md']!;
    for (const resource of model.resources) assert.ok(readme.includes(`/api${collectionPath(model, resource)}`));
    assert.match(readme, /\| PATCH \| `\/api\/posts\/\{id\}` \| change some fields of a post \| bearer token \|/);
    assert.match(readme, /\| GET \| `\/api\/posts` \| list posts .* \| no \|/);
    assert.match(readme, /```sh\nnpm install\nnpm run build\nnpm start\n```/);
    for (const variable of ['PORT', 'HOST', 'DATABASE_URL', 'DATA_DIR'])
      assert.match(readme, new RegExp(`\\| \`${variable}\` \\|`));
    assert.match(readme, /POST \/api\/auth\/register/);
    assert.match(readme, /placeholder, not a working address/);

    const taskReadme = infrastructureOf(modelOf(taskBoard), ['api'])['README.md']!;
    assert.doesNotMatch(taskReadme, /auth\/register|web app|build:web/, 'no accounts and no web app to tell of');
    assert.match(taskReadme, /`\/api\/projects\/\{project_id\}\/tasks\/\{task_id\}\/subtasks\/\{id\}`/);
  });

  it('is a pure function of the model and the targets', () => {
    assert.equal(
      JSON.stringify(infrastructureOf(modelOf(blog), ['web'])),
      JSON.stringify(infrastructureOf(model, ['web'])),
    );
  });
});
