import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config/config.js';
import { migrate } from '../src/db/migrate.js';
import { openPglite } from '../src/db/pglite.js';
import { buildApp } from '../src/server/app.js';
import { version } from '../src/version.js';

export const openApiFile = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

/**
 * The OpenAPI document as the server serves it, built from a fixed configuration (not this process's
 * environment) on an empty in-memory database, so it depends on the code alone.
 */
export async function generateOpenApiDocument(): Promise<Record<string, unknown>> {
  const database = await openPglite(undefined);
  try {
    await migrate(database);
    const config = loadConfig({ RATE_LIMIT_ENABLED: 'false', METRICS_PUBLIC: 'false', LOG_LEVEL: 'silent' });
    const app = await buildApp({ config, database, version });
    try {
      const response = await app.inject({ method: 'GET', url: '/openapi.json' });
      if (response.statusCode !== 200) throw new Error(`/openapi.json answered ${response.statusCode}`);
      return response.json<Record<string, unknown>>();
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
  }
}

export function formatOpenApiDocument(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(openApiFile, formatOpenApiDocument(await generateOpenApiDocument()));
  console.log(`wrote ${openApiFile}`);
}
