import { declarationOf, typeOf, type JsonSchema } from './schema-types.js';
import { docComment, propertyAccess, propertyKey, quote } from './typescript-source.js';
import { apiRuntimeSource, tokenStoreSource } from './api-runtime.js';

// web/src/api.ts, written from the OpenAPI document alone: a type per component schema and one function per
// operationId, so the views can only call what the backend serves, with the bodies it takes.

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required?: boolean;
  readonly schema?: JsonSchema;
}

interface MediaContent {
  readonly content?: Readonly<Record<string, { readonly schema?: JsonSchema }>>;
}

interface Operation {
  readonly operationId?: string;
  readonly summary?: string;
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: MediaContent & { readonly required?: boolean };
  readonly responses?: Readonly<
    Record<string, MediaContent & { readonly headers?: Readonly<Record<string, unknown>> }>
  >;
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
}

export interface OpenApiDocument {
  readonly servers?: readonly { readonly url: string }[];
  readonly paths?: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
  readonly components?: {
    readonly schemas?: Readonly<Record<string, JsonSchema>>;
    readonly securitySchemes?: Readonly<Record<string, { readonly type?: string; readonly scheme?: string }>>;
  };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const TOTAL_HEADER = 'x-total-count';

export interface ClientOperation {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly operation: Operation;
}

/** Every operation of the document that has an operationId, in the document's order. */
export function operationsOf(document: OpenApiDocument): ClientOperation[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation?.operationId ? [{ operationId: operation.operationId, method, path, operation }] : [];
    }),
  );
}

function bearerSchemes(document: OpenApiDocument): Set<string> {
  return new Set(
    Object.entries(document.components?.securitySchemes ?? {})
      .filter(([, scheme]) => scheme.type === 'http' && scheme.scheme?.toLowerCase() === 'bearer')
      .map(([name]) => name),
  );
}

/** The path as a JavaScript expression: `'/posts/' + encodeURIComponent(params.post_id) + '/comments'`. */
function pathExpression(path: string): string {
  const parts = path.split(/\{([^}]+)\}/);
  return parts
    .map((part, index) =>
      index % 2 === 1 ? `encodeURIComponent(${propertyAccess('params', part)})` : part === '' ? '' : quote(part),
    )
    .filter(Boolean)
    .join(' + ');
}

function successOf(operation: Operation) {
  const entry = Object.entries(operation.responses ?? {}).find(([status]) => /^2/.test(status));
  const response = entry?.[1];
  const schema = response?.content?.['application/json']?.schema;
  const paged =
    schema?.type === 'array' &&
    Object.keys(response?.headers ?? {}).some((name) => name.toLowerCase() === TOTAL_HEADER);
  return { schema, paged };
}

function functionOf(client: ClientOperation, bearer: ReadonlySet<string>, globalSecurity: Operation['security']) {
  const { operation } = client;
  const parameters = (operation.parameters ?? []).filter((parameter) => ['path', 'query'].includes(parameter.in));
  const query = parameters.filter((parameter) => parameter.in === 'query');
  const body = operation.requestBody?.content?.['application/json']?.schema;
  const security = operation.security ?? globalSecurity ?? [];
  const secured = security.some((requirement) => Object.keys(requirement).some((name) => bearer.has(name)));
  const { schema, paged } = successOf(operation);

  const signature: string[] = [];
  if (parameters.length > 0) {
    const fields = parameters.map(
      (parameter) =>
        `${propertyKey(parameter.name)}${parameter.in === 'path' || parameter.required ? '' : '?'}: ${typeOf(parameter.schema ?? {})}`,
    );
    const allOptional = parameters.every((parameter) => parameter.in !== 'path' && !parameter.required);
    signature.push(`params: { ${fields.join('; ')} }${allOptional ? ' = {}' : ''}`);
  }
  if (body) signature.push(`body: ${typeOf(body)}`);
  const itemType = schema?.items ? typeOf(schema.items) : 'unknown';
  const returned = !schema ? 'void' : paged ? `ApiPage<${itemType}>` : typeOf(schema);

  const options: string[] = [];
  if (query.length > 0)
    options.push(
      `query: { ${query.map((parameter) => `${propertyKey(parameter.name)}: ${propertyAccess('params', parameter.name)}`).join(', ')} }`,
    );
  if (body) options.push('body');
  if (bearer.size > 0) options.push(`secured: ${secured}`);
  const call = `apiRequest(${quote(client.method.toUpperCase())}, ${pathExpression(client.path)}, { ${options.join(', ')} })`;
  const lines = !schema
    ? [`  await ${call};`]
    : paged
      ? [
          `  const response = await ${call};`,
          `  return { items: (await response.json()) as ${itemType}[], total: totalCount(response) };`,
        ]
      : [`  const response = await ${call};`, `  return (await response.json()) as ${returned};`];
  return [
    docComment(operation.summary).trimEnd(),
    `export async function ${client.operationId}(${signature.join(', ')}): Promise<${returned}> {`,
    ...lines,
    '}',
  ]
    .filter(Boolean)
    .join('\n');
}

/** The source of web/src/api.ts. */
export function apiClientSource(document: OpenApiDocument): string {
  const bearer = bearerSchemes(document);
  const baseUrl = (document.servers?.[0]?.url ?? '').replace(/\/+$/, '');
  const schemas = Object.entries(document.components?.schemas ?? {}).map(([name, schema]) =>
    declarationOf(name, schema),
  );
  const functions = operationsOf(document).map((client) => functionOf(client, bearer, document.security));
  return [
    '// Generated from the OpenAPI document: one function per operation, a type per schema. Do not edit by hand.',
    '',
    `const BASE_URL = ${quote(baseUrl)};`,
    '',
    schemas.join('\n'),
    apiRuntimeSource({ bearer: bearer.size > 0 }),
    ...(bearer.size > 0 ? [tokenStoreSource] : []),
    functions.join('\n\n'),
    '',
  ].join('\n');
}
