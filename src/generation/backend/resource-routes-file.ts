import { resourceNamed, type AppModel, type Resource } from '../app-model.js';
import type { Operation } from '../app-spec.js';
import { fileText, importLine } from './code-text.js';
import { operationOf, type DocumentOperation } from './document-operations.js';
import { storeNames } from './resource-store-file.js';

// src/routes/<resource>.ts of the generated app: one Fastify route per operation of the OpenAPI document,
// at the document's path, validated by the operation's schemas, behind bearer authentication where the
// document's operation has `security`.

export const routesName = (resource: Resource) => `${resource.variable}Routes`;

interface RouteParts {
  readonly operation: DocumentOperation;
  readonly generic: string;
  readonly body: string;
}

function route({ operation, generic, body }: RouteParts): string {
  const options = `{ schema: routeSchema('${operation.operationId}')${operation.secured ? ', onRequest: authenticate' : ''} }`;
  const method = operation.method.toLowerCase();
  return (
    `app.${method}${generic === '{}' ? '' : `<${generic}>`}(\n` +
    `  '${operation.routePath}',\n` +
    `  ${options},\n` +
    `  async (${body.includes('request.') ? 'request' : '_request'}, reply) => {\n` +
    body
      .split('\n')
      .map((line) => `    ${line}`)
      .join('\n') +
    `\n  },\n);`
  );
}

export function routesFile(model: AppModel, operations: readonly DocumentOperation[], resource: Resource): string {
  const names = storeNames(resource);
  const nested = resource.parent !== undefined;
  const title = resource.title.toLowerCase();
  const parentTitle = nested ? resourceNamed(model, resource.parent.target).title.toLowerCase() : '';
  const params = nested ? names.parentType! : undefined;
  const itemParams = nested ? `${names.parentType} & { id: string }` : '{ id: string }';
  const parentArgument = nested ? ', request.params' : '';
  const requireParent = nested ? 'await requireParent(request.params);\n' : '';
  const offered = (operation: Operation) => operationOf(operations, resource, operation);
  const routes: string[] = [];
  const used = new Set<string>();
  const notFound = `if (!${resource.variable}) throw notFound(\`no ${title} \${request.params.id}\`);`;

  const list = offered('list');
  if (list) {
    used.add(names.list);
    const generic = [params && `Params: ${params}`, resource.pagination && 'Querystring: Page'].filter(Boolean);
    routes.push(
      route({
        operation: list,
        generic: generic.length > 0 ? `{ ${generic.join('; ')} }` : '{}',
        body: resource.pagination
          ? requireParent +
            `const page = await ${names.list}(database${parentArgument}, request.query);\n` +
            `return reply.header('X-Total-Count', page.total).send(page.items);`
          : requireParent + `return reply.send(await ${names.list}(database${parentArgument}));`,
      }),
    );
  }
  const create = offered('create');
  if (create) {
    used.add(names.create);
    routes.push(
      route({
        operation: create,
        generic: `{ ${params ? `Params: ${params}; ` : ''}Body: ${names.type}Input }`,
        body:
          requireParent +
          `return reply.status(201).send(await ${names.create}(database${parentArgument}, request.body));`,
      }),
    );
  }
  const get = offered('get');
  if (get) {
    used.add(names.find);
    routes.push(
      route({
        operation: get,
        generic: `{ Params: ${itemParams} }`,
        body:
          requireParent +
          `const ${resource.variable} = await ${names.find}(database, request.params.id${parentArgument});\n` +
          `${notFound}\nreturn reply.send(${resource.variable});`,
      }),
    );
  }
  const update = offered('update');
  if (update) {
    used.add(names.update);
    routes.push(
      route({
        operation: update,
        generic: `{ Params: ${itemParams}; Body: ${names.type}Update }`,
        body:
          requireParent +
          `const ${resource.variable} = await ${names.update}(database, request.params.id${parentArgument}, request.body);\n` +
          `${notFound}\nreturn reply.send(${resource.variable});`,
      }),
    );
  }
  const remove = offered('delete');
  if (remove) {
    used.add(names.remove);
    routes.push(
      route({
        operation: remove,
        generic: `{ Params: ${itemParams} }`,
        body:
          requireParent +
          `const deleted = await ${names.remove}(database, request.params.id${parentArgument});\n` +
          `if (!deleted) throw notFound(\`no ${title} \${request.params.id}\`);\n` +
          `return reply.status(204).send();`,
      }),
    );
  }

  const secured = [list, create, get, update, remove].some((operation) => operation?.secured);
  const usesNotFound = nested || get || update || remove;
  const storeImports = [...used, ...(nested ? ['parentExists', `type ${names.parentType}`] : [])];
  if (create) storeImports.push(`type ${names.type}Input`);
  if (update) storeImports.push(`type ${names.type}Update`);
  const collection = list?.path ?? create?.path ?? (get ?? update ?? remove)?.path.replace(/\/\{id\}$/, '');

  const requireParentFunction = nested
    ? `  async function requireParent(parent: ${names.parentType}): Promise<void> {\n` +
      `    if (!(await parentExists(database, parent))) throw notFound(\`no ${parentTitle} \${parent.${resource.parent.column}}\`);\n` +
      `  }\n\n`
    : '';
  return fileText(
    [
      importLine(['type FastifyPluginAsync'], 'fastify'),
      importLine(['routeSchema'], '../openapi.js'),
      resource.pagination && list ? importLine(['type Page'], '../pagination.js') : undefined,
      usesNotFound ? importLine(['notFound'], '../problems.js') : undefined,
      importLine(['type RouteOptions'], '../route-options.js'),
      importLine(storeImports, `../stores/${resource.segment}.js`),
    ]
      .filter(Boolean)
      .join('\n'),
    `/** ${collection ?? ''}: the routes of openapi.json for ${resource.pluralTitle.toLowerCase()}. */\n` +
      `export const ${routesName(resource)}: FastifyPluginAsync<RouteOptions> = async (app, { database${secured ? ', authenticate' : ''} }) => {\n` +
      requireParentFunction +
      routes.map((text) => text.replace(/^/gm, '  ').replace(/^ +$/gm, '')).join('\n\n') +
      '\n};',
  );
}

export function routeOptionsFile(model: AppModel): string {
  return fileText(
    [
      model.auth ? importLine(['type onRequestHookHandler'], 'fastify') : undefined,
      importLine(['type Database'], './database.js'),
    ]
      .filter(Boolean)
      .join('\n'),
    '/** What every route module is registered with. */\n' +
      'export interface RouteOptions {\n' +
      '  database: Database;\n' +
      (model.auth
        ? '  /** an onRequest hook answering 401 unless the request is signed in */\n  authenticate: onRequestHookHandler;\n'
        : '') +
      '}',
  );
}

export const PAGINATION_FILE = `/** The limit and offset query parameters of a paginated list, with openapi.json's defaults applied. */
export interface Page {
  limit: number;
  offset: number;
}

export interface PageOf<Item> {
  items: Item[];
  /** how many there are in all: the X-Total-Count header */
  total: number;
}
`;
