import type { AppModel } from '../app-model.js';
import type { GeneratedFiles, PackageContribution } from '../generated-files.js';
import { appFiles } from './app-file.js';
import { appTestsFile, authTestsFile } from './app-tests-file.js';
import { authFiles } from './auth-file.js';
import { backendConfigurationFiles, backendContribution } from './backend-package.js';
import { databaseFiles } from './database-file.js';
import { documentOperations, type OpenApiDocument } from './document-operations.js';
import { migrationFiles } from './migrations-file.js';
import { openApiFiles } from './openapi-file.js';
import { problemFiles } from './problems-file.js';
import { PAGINATION_FILE, routeOptionsFile, routesFile } from './resource-routes-file.js';
import { storeFile } from './resource-store-file.js';
import { resourceTestsFile } from './resource-tests-file.js';
import { testFixturesFile } from './test-fixtures-file.js';
import { testSupportFile } from './test-support-file.js';

// Stage 5: the backend of the generated app. A TypeScript Fastify server whose routes are the OpenAPI
// document's, validated by its schemas, on PostgreSQL (or embedded PGlite), with its own unit tests.

export interface Backend {
  readonly files: GeneratedFiles;
  readonly contribution: PackageContribution;
}

export function backendOf(model: AppModel, document: OpenApiDocument, sql: string): Backend {
  const operations = documentOperations(document);
  const files: Record<string, string> = {
    ...backendConfigurationFiles(),
    ...openApiFiles(document),
    ...migrationFiles(sql),
    ...databaseFiles(),
    ...problemFiles(),
    ...appFiles(model),
    ...(model.auth ? authFiles() : {}),
    'src/route-options.ts': routeOptionsFile(model),
    ...(model.resources.some((resource) => resource.pagination) ? { 'src/pagination.ts': PAGINATION_FILE } : {}),
    'src/test/support.ts': testSupportFile(model),
    'src/test/fixtures.ts': testFixturesFile(model),
    'src/test/app.test.ts': appTestsFile(operations),
    ...(model.auth ? { 'src/test/auth.test.ts': authTestsFile() } : {}),
  };
  const add = (path: string, text: string) => {
    // `auth`, `app` or `support` as a resource's plural would take a file the app needs
    if (path in files) throw new Error(`two generated files would be ${path}`);
    files[path] = text;
  };
  for (const resource of model.resources) {
    add(`src/stores/${resource.segment}.ts`, storeFile(model, document, resource));
    add(`src/routes/${resource.segment}.ts`, routesFile(model, operations, resource));
    add(`src/test/${resource.segment}.test.ts`, resourceTestsFile(model, operations, resource));
  }
  const sorted = Object.fromEntries(Object.entries(files).sort(([left], [right]) => (left < right ? -1 : 1)));
  return { files: sorted, contribution: backendContribution() };
}
