import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The repository's root: the nearest folder above this file whose package.json is lvlup's (source or compiled). */
function packageRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(folder, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'lvlup') {
      return folder;
    }
    const parent = dirname(folder);
    if (parent === folder) throw new Error('lvlup: could not find the package root above the server code');
    folder = parent;
  }
}

/** Where `npm run build:web` writes the dashboard (web/dist). */
export const WEB_APP_ROOT = join(packageRoot(), 'web', 'dist');

/** URL prefixes that are never the dashboard's pages, so an unknown URL there stays a 404 problem. */
const NOT_PAGES = /^\/(api|ws|docs|assets|health|metrics|openapi\.json)(\/|$|\?)/;

/** A browser loading a page (not a script calling the API): a GET that prefers HTML, outside the API's prefixes. */
export function isPageNavigation(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (NOT_PAGES.test(request.url)) return false;
  return (request.headers.accept ?? '').includes('text/html');
}

/**
 * The dashboard's page. Its scripts and styles have hashed names and are cached for a year; the page itself
 * is revalidated every time so that a new build is picked up at once. A server started without a build
 * says so (503 `web_not_built`) rather than showing an empty page.
 */
export function webAppBuilt(): boolean {
  return existsSync(join(WEB_APP_ROOT, 'index.html'));
}

/** The dashboard's index.html (see webAppBuilt); error-handler.ts's sendPage answers for a missing build. */
export function sendWebAppPage(reply: FastifyReply) {
  return reply.code(200).header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html');
}
