import type { GeneratedFiles } from '../generated-files.js';
import type { OpenApiDocument } from './document-operations.js';

// openapi.json, and the two modules of the generated app that turn it into request validation:
// src/openapi.ts (an operation's Fastify schema, from the document) and src/validation.ts (Ajv).

const OPENAPI = `import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifySchema } from 'fastify';
import { APP_ROOT } from './paths.js';

// openapi.json is the API's contract: it is served at /api/openapi.json, and every route validates its
// request with the schemas the document gives for that route's operation.

type JsonSchema = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: JsonSchema;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
}

export const openApiDocument = JSON.parse(readFileSync(join(APP_ROOT, 'openapi.json'), 'utf8')) as OpenApiDocument;

const REFERENCE_PREFIX = '#/components/schemas/';

/** The schema with every \`$ref\` to a component schema replaced by that schema. */
function resolved(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(resolved);
  if (typeof schema !== 'object' || schema === null) return schema;
  const reference = (schema as { $ref?: unknown }).$ref;
  if (typeof reference === 'string' && reference.startsWith(REFERENCE_PREFIX)) {
    const target = openApiDocument.components.schemas[reference.slice(REFERENCE_PREFIX.length)];
    if (!target) throw new Error(\`openapi.json has no schema \${reference}\`);
    return resolved(target);
  }
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, resolved(value)]));
}

function parametersSchema(parameters: readonly Parameter[]): JsonSchema | undefined {
  if (parameters.length === 0) return undefined;
  return {
    type: 'object',
    properties: Object.fromEntries(parameters.map((parameter) => [parameter.name, resolved(parameter.schema)])),
    required: parameters.filter((parameter) => parameter.required).map((parameter) => parameter.name),
  };
}

function operationNamed(operationId: string): Operation {
  for (const methods of Object.values(openApiDocument.paths)) {
    for (const operation of Object.values(methods)) if (operation.operationId === operationId) return operation;
  }
  throw new Error(\`openapi.json has no operation \${operationId}\`);
}

/** The request schemas of one operation of openapi.json, as Fastify validates them. */
export function routeSchema(operationId: string): FastifySchema {
  const operation = operationNamed(operationId);
  const parameters = operation.parameters ?? [];
  const schema: FastifySchema = {};
  const params = parametersSchema(parameters.filter((parameter) => parameter.in === 'path'));
  if (params) schema.params = params;
  const querystring = parametersSchema(parameters.filter((parameter) => parameter.in === 'query'));
  if (querystring) schema.querystring = querystring;
  const body = operation.requestBody?.content['application/json']?.schema;
  if (body) schema.body = resolved(body);
  return schema;
}
`;

const VALIDATION = `import { Ajv, type Options } from 'ajv';
import formats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

// Request validation with Ajv and the formats of ajv-formats (email, uri, uuid, date, date-time). A body
// is taken as sent: a wrong type or an unknown property is a 400, never coerced or dropped. Path and query
// parameters arrive as text, so they are converted to the types their schemas give, with their defaults.

const addFormats = formats.default;

function validator(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: false, allowUnionTypes: true, ...options });
  addFormats(ajv);
  return ajv;
}

export function validateWithAjv(app: FastifyInstance): void {
  const bodies = validator({ coerceTypes: false, useDefaults: false, removeAdditional: false });
  const parameters = validator({ coerceTypes: true, useDefaults: true, removeAdditional: false });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodies : parameters).compile(schema),
  );
}
`;

export const openApiJsonText = (document: OpenApiDocument) => `${JSON.stringify(document, null, 2)}\n`;

export function openApiFiles(document: OpenApiDocument): GeneratedFiles {
  return {
    'openapi.json': openApiJsonText(document),
    'src/openapi.ts': OPENAPI,
    'src/validation.ts': VALIDATION,
  };
}
