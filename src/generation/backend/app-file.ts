import type { AppModel } from '../app-model.js';
import type { GeneratedFiles } from '../generated-files.js';
import { fileText, importLine } from './code-text.js';
import { routesName } from './resource-routes-file.js';

// src/app.ts (the Fastify app, built around a database so tests can use their own), src/frontend.ts
// (the built web app, when there is one) and src/server.ts (the process: environment, listen, stop).

export function appFile(model: AppModel): string {
  const routeModules = model.resources.map(
    (resource) => importLine([routesName(resource)], `./routes/${resource.segment}.js`) ?? '',
  );
  const registrations = [
    ...(model.auth ? ['authRoutes'] : []),
    ...model.resources.map((resource) => routesName(resource)),
  ].map((name) => `      await api.register(${name}, options);`);
  return fileText(
    [
      "import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';",
      model.auth ? importLine(['bearerAuthentication'], './auth.js') : undefined,
      importLine(['type Database'], './database.js'),
      importLine(['serveFrontend'], './frontend.js'),
      importLine(['openApiDocument'], './openapi.js'),
      importLine(['answerErrorsWithProblems'], './problems.js'),
      importLine(['type RouteOptions'], './route-options.js'),
      model.auth ? importLine(['authRoutes'], './routes/auth.js') : undefined,
      ...routeModules,
      importLine(['validateWithAjv'], './validation.js'),
    ]
      .filter(Boolean)
      .join('\n'),
    `export interface AppOptions {\n  database: Database;\n  logger?: FastifyServerOptions['logger'];\n}`,
    `/** The app, ready to listen or to answer \`app.inject\`; the caller closes the database after the app. */\n` +
      `export async function buildApp({ database, logger = false }: AppOptions): Promise<FastifyInstance> {\n` +
      `  const app = Fastify({ logger });\n` +
      `  validateWithAjv(app);\n` +
      `  answerErrorsWithProblems(app);\n` +
      `  const options: RouteOptions = { database${model.auth ? ', authenticate: bearerAuthentication(database)' : ''} };\n` +
      `  await app.register(\n` +
      `    async (api) => {\n` +
      `      api.get('/openapi.json', async () => openApiDocument);\n` +
      `${registrations.join('\n')}\n` +
      `    },\n` +
      `    { prefix: '/api' },\n` +
      `  );\n` +
      `  await serveFrontend(app);\n` +
      `  return app;\n` +
      `}`,
  );
}

const FRONTEND = `import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { APP_ROOT } from './paths.js';
import { sendProblem } from './problems.js';

export const WEB_ROOT = join(APP_ROOT, 'dist', 'web');

/**
 * Serves the built web app (dist/web) at /, when it has been built. A GET outside /api for a file that
 * is not there answers index.html, so the web app's own routes load it too; anything else unknown is a 404.
 */
export async function serveFrontend(app: FastifyInstance): Promise<void> {
  const built = existsSync(join(WEB_ROOT, 'index.html'));
  if (built) await app.register(fastifyStatic, { root: WEB_ROOT });
  app.setNotFoundHandler((request, reply) => {
    const page = request.method === 'GET' && !request.url.startsWith('/api/') && request.url !== '/api';
    if (built && page) return reply.sendFile('index.html');
    return sendProblem(reply, 404, \`no route \${request.method} \${request.url.split('?')[0]}\`);
  });
}
`;

const SERVER = `import { buildApp } from './app.js';
import { openDatabase } from './database.js';
import { migrate } from './migrations.js';

// The server process: PORT (3000) and HOST (127.0.0.1) say where it listens, or LISTEN_SOCKET a Unix socket
// path (what a supervisor without a shared network reaches it by); DATABASE_URL, or DATA_DIR for the embedded
// database, where its data lives. SIGTERM or SIGINT stops it after the requests in flight.

function portOf(text: string | undefined): number {
  const port = Number(text ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(\`PORT must be a TCP port, not \${text}\`);
  return port;
}

const port = portOf(process.env.PORT);
const host = process.env.HOST ?? '127.0.0.1';
const database = await openDatabase();
const applied = await migrate(database);
const app = await buildApp({ database, logger: { level: process.env.LOG_LEVEL ?? 'info' } });
if (applied.length > 0) app.log.info({ migrations: applied }, 'migrated the database');
const socket = process.env.LISTEN_SOCKET;
const address = socket ? await app.listen({ path: socket }) : await app.listen({ port, host });
console.log(\`listening on \${address}\`);

async function stop(signal: NodeJS.Signals): Promise<void> {
  app.log.info({ signal }, 'stopping');
  await app.close();
  await database.close();
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    stop(signal).catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  });
}
`;

export function appFiles(model: AppModel): GeneratedFiles {
  return { 'src/app.ts': appFile(model), 'src/frontend.ts': FRONTEND, 'src/server.ts': SERVER };
}
