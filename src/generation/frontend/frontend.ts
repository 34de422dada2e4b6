import type { AppModel } from '../app-model.js';
import type { GeneratedFiles, PackageContribution } from '../generated-files.js';
import { DEFAULT_PORT } from '../infrastructure/app-settings.js';
import { apiClientSource, type OpenApiDocument } from './api-client.js';
import { authSource } from './auth-source.js';
import { formsSource } from './forms-source.js';
import { operationIndexOf } from './operation-index.js';
import { FRONTEND_CONTRIBUTION } from './package-contribution.js';
import { resourceViewsSource } from './resource-views.js';
import { routerSource } from './router-source.js';
import { routesSource } from './routes-source.js';
import {
  appSource,
  indexHtmlSource,
  mainSource,
  stylesSource,
  viteConfigSource,
  webTsconfigSource,
} from './shell-source.js';

// Stage 6: the single-page app in web/, React and Vite, built into dist/web for the backend to serve. Its API
// client is written from the OpenAPI document; its views from the model.

export function frontendOf(
  model: AppModel,
  document: Readonly<Record<string, unknown>>,
): { files: GeneratedFiles; contribution: PackageContribution } {
  const openApi = document as OpenApiDocument;
  const operations = operationIndexOf(model, openApi);
  const files: Record<string, string> = {
    'vite.config.ts': viteConfigSource(DEFAULT_PORT),
    'web/tsconfig.json': webTsconfigSource,
    'web/index.html': indexHtmlSource(model),
    'web/src/main.tsx': mainSource,
    'web/src/app.tsx': appSource(model),
    'web/src/styles.css': stylesSource,
    'web/src/api.ts': apiClientSource(openApi),
    'web/src/router.tsx': routerSource,
    'web/src/forms.tsx': formsSource({ auth: model.auth }),
    'web/src/routes.tsx': routesSource(model, operations),
  };
  if (model.auth) files['web/src/auth.tsx'] = authSource;
  for (const resource of model.resources)
    files[`web/src/views/${resource.segment}.tsx`] = resourceViewsSource(model, resource, operations);
  return { files, contribution: FRONTEND_CONTRIBUTION };
}
