import type { AppModel } from '../app-model.js';
import { collectionPattern } from './view-routes.js';
import { parentParameters } from '../app-model.js';
import type { OperationIndex } from './operation-index.js';
import { viewContextOf } from './view-context.js';
import { propertyKey, quote } from './typescript-source.js';

// web/src/routes.tsx: every view's address, in the order the router does not depend on.

export function routesSource(model: AppModel, operations: OperationIndex): string {
  const imports: string[] = ["import type { Route } from './router';"];
  const routes: string[] = [];
  if (model.auth) {
    imports.push("import { SignInPage } from './auth';");
    routes.push("  { pattern: '/sign-in', render: () => <SignInPage /> },");
  }
  for (const resource of model.resources) {
    const context = viewContextOf(model, resource, operations);
    const views = [
      ['list', `${resource.name}List`, ''],
      ['create', `${resource.name}Create`, '/new'],
      ['get', `${resource.name}Detail`, '/:id'],
      ['update', `${resource.name}Edit`, '/:id/edit'],
      ['delete', `${resource.name}Delete`, '/:id/delete'],
    ] as const;
    const present = views.filter(([operation]) => context.has(operation));
    imports.push(
      `import { ${present.map(([, component]) => component).join(', ')} } from './views/${resource.segment}';`,
    );
    const parents = context.nested
      ? ` parents={{ ${parentParameters(model, resource)
          .map((column) => `${propertyKey(column)}: param(${quote(column)})`)
          .join(', ')} }}`
      : '';
    for (const [, component, suffix] of present) {
      const id = suffix.includes(':id') ? " id={param('id')}" : '';
      const usesParam = id !== '' || parents !== '';
      routes.push(
        `  { pattern: ${quote(collectionPattern(model, resource) + suffix)}, render: (${usesParam ? 'param' : ''}) => <${component}${id}${parents} /> },`,
      );
    }
  }
  return `${imports.join('\n')}\n\nexport const routes: readonly Route[] = [\n${routes.join('\n')}\n];\n`;
}
