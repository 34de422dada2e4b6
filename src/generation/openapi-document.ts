import { collectionPath, parentParameters, type AppModel, type ModelField, type Resource } from './app-model.js';

// Stage 3's artifact: the OpenAPI 3.1 document of the generated app. The backend's routes, its request
// validation, the frontend's API client and the contract tests are all written from this one document.

type JsonObject = Record<string, unknown>;

/** JSON Schema of one field as the API shows it. */
export function fieldSchema(field: ModelField): JsonObject {
  const schema: JsonObject = {};
  switch (field.type) {
    case 'string':
    case 'text':
      schema.type = 'string';
      break;
    case 'email':
      Object.assign(schema, { type: 'string', format: 'email' });
      break;
    case 'url':
      Object.assign(schema, { type: 'string', format: 'uri' });
      break;
    case 'uuid':
      Object.assign(schema, { type: 'string', format: 'uuid' });
      break;
    case 'date':
      Object.assign(schema, { type: 'string', format: 'date' });
      break;
    case 'datetime':
      Object.assign(schema, { type: 'string', format: 'date-time' });
      break;
    case 'integer':
      Object.assign(schema, { type: 'integer', minimum: -2147483648, maximum: 2147483647 });
      break;
    case 'number':
      schema.type = 'number';
      break;
    case 'boolean':
      schema.type = 'boolean';
      break;
    case 'enum':
      Object.assign(schema, { type: 'string', enum: [...(field.values ?? [])] });
      break;
  }
  if (field.minLength !== undefined) schema.minLength = field.minLength;
  if (field.maxLength !== undefined) schema.maxLength = field.maxLength;
  if (field.minimum !== undefined) schema.minimum = field.minimum;
  if (field.maximum !== undefined) schema.maximum = field.maximum;
  if (field.description !== undefined) schema.description = field.description;
  return schema;
}

const nullable = (schema: JsonObject): JsonObject => ({
  ...schema,
  type: [schema.type as string, 'null'],
  ...(schema.enum ? { enum: [...(schema.enum as string[]), null] } : {}),
});

const idSchema = { type: 'string', format: 'uuid' };
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** The properties a client sends: fields, references and linked ids. */
function writableProperties(resource: Resource, { parentFixed }: { parentFixed: boolean }) {
  const properties: Record<string, JsonObject> = {};
  const required: string[] = [];
  for (const field of resource.fields) {
    properties[field.name] = field.required ? fieldSchema(field) : nullable(fieldSchema(field));
    if (field.required) required.push(field.name);
  }
  for (const link of resource.belongsTo) {
    if (parentFixed && link === resource.parent) continue;
    properties[link.column] = link.required ? idSchema : nullable(idSchema);
    if (link.required) required.push(link.column);
  }
  for (const link of resource.manyToMany) {
    properties[link.property] = { type: 'array', items: idSchema, uniqueItems: true, maxItems: 1000 };
  }
  return { properties, required };
}

function resourceSchemas(resource: Resource): Record<string, JsonObject> {
  const stored = writableProperties(resource, { parentFixed: false });
  const input = writableProperties(resource, { parentFixed: true });
  const readProperties = {
    id: idSchema,
    ...stored.properties,
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
  };
  return {
    [resource.name]: {
      type: 'object',
      properties: readProperties,
      required: Object.keys(readProperties),
      additionalProperties: false,
    },
    [`${resource.name}Input`]: {
      type: 'object',
      properties: input.properties,
      required: input.required,
      additionalProperties: false,
    },
    [`${resource.name}Update`]: {
      type: 'object',
      properties: input.properties,
      minProperties: 1,
      additionalProperties: false,
    },
  };
}

function security(resource: Resource, write: boolean) {
  return resource.auth === 'all' || (resource.auth === 'write' && write) ? [{ bearerAuth: [] }] : undefined;
}

function operationsOf(model: AppModel, resource: Resource) {
  const collection = collectionPath(model, resource);
  const item = `${collection}/{id}`;
  const parentParams = parentParameters(model, resource).map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: idSchema,
  }));
  const idParam = { name: 'id', in: 'path', required: true, schema: idSchema };
  const reference = { $ref: `#/components/schemas/${resource.name}` };
  const json = (schema: JsonObject) => ({ 'application/json': { schema } });
  const common = (write: boolean) => {
    const secured = security(resource, write);
    return {
      tags: [resource.segment],
      ...(secured ? { security: secured } : {}),
    };
  };
  const errors = (write: boolean, ...codes: string[]) => {
    const responses: Record<string, unknown> = {};
    const texts: Record<string, string> = {
      '400': 'the request is invalid',
      '404': 'no such resource',
      '409': 'the change conflicts with stored data',
    };
    for (const code of codes) responses[code] = problemResponse(texts[code] ?? 'error');
    if (security(resource, write)) responses['401'] = problemResponse('a valid bearer token is needed');
    return responses;
  };
  const collectionOperations: Record<string, unknown> = {};
  const itemOperations: Record<string, unknown> = {};
  const ops = new Set(resource.operations);
  if (ops.has('list')) {
    collectionOperations.get = {
      operationId: `list${resource.name}s`,
      summary: `List ${resource.pluralTitle.toLowerCase()}`,
      ...common(false),
      parameters: [
        ...parentParams,
        ...(resource.pagination
          ? [
              { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
              { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
            ]
          : []),
      ],
      responses: {
        '200': {
          description: `the ${resource.pluralTitle.toLowerCase()}, oldest first`,
          ...(resource.pagination
            ? {
                headers: { 'X-Total-Count': { description: 'how many there are in all', schema: { type: 'integer' } } },
              }
            : {}),
          content: json({ type: 'array', items: reference }),
        },
        ...errors(false, '400', ...(parentParams.length > 0 ? ['404'] : [])),
      },
    };
  }
  if (ops.has('create')) {
    collectionOperations.post = {
      operationId: `create${resource.name}`,
      summary: `Create a ${resource.title.toLowerCase()}`,
      ...common(true),
      parameters: parentParams,
      requestBody: { required: true, content: json({ $ref: `#/components/schemas/${resource.name}Input` }) },
      responses: {
        '201': { description: `the stored ${resource.title.toLowerCase()}`, content: json(reference) },
        ...errors(true, '400', '409', ...(parentParams.length > 0 ? ['404'] : [])),
      },
    };
  }
  if (ops.has('get')) {
    itemOperations.get = {
      operationId: `get${resource.name}`,
      summary: `One ${resource.title.toLowerCase()}`,
      ...common(false),
      parameters: [...parentParams, idParam],
      responses: {
        '200': { description: `the ${resource.title.toLowerCase()}`, content: json(reference) },
        ...errors(false, '400', '404'),
      },
    };
  }
  if (ops.has('update')) {
    itemOperations.patch = {
      operationId: `update${resource.name}`,
      summary: `Change a ${resource.title.toLowerCase()}`,
      ...common(true),
      parameters: [...parentParams, idParam],
      requestBody: { required: true, content: json({ $ref: `#/components/schemas/${resource.name}Update` }) },
      responses: {
        '200': { description: `the changed ${resource.title.toLowerCase()}`, content: json(reference) },
        ...errors(true, '400', '404', '409'),
      },
    };
  }
  if (ops.has('delete')) {
    itemOperations.delete = {
      operationId: `delete${resource.name}`,
      summary: `Delete a ${resource.title.toLowerCase()}`,
      ...common(true),
      parameters: [...parentParams, idParam],
      responses: { '204': { description: 'deleted' }, ...errors(true, '400', '404', '409') },
    };
  }
  return { collection, item, collectionOperations, itemOperations };
}

const credentials = {
  type: 'object',
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    password: { type: 'string', minLength: 8, maxLength: 200 },
  },
  required: ['email', 'password'],
  additionalProperties: false,
};

function authPaths() {
  const json = (schema: JsonObject) => ({ 'application/json': { schema } });
  const token = { $ref: '#/components/schemas/Token' };
  return {
    '/auth/register': {
      post: {
        operationId: 'register',
        summary: 'Create an account and sign in',
        tags: ['auth'],
        requestBody: { required: true, content: json({ $ref: '#/components/schemas/Credentials' }) },
        responses: {
          '201': { description: 'signed in', content: json(token) },
          '400': problemResponse('invalid'),
          '409': problemResponse('the email is taken'),
        },
      },
    },
    '/auth/login': {
      post: {
        operationId: 'login',
        summary: 'Sign in',
        tags: ['auth'],
        requestBody: { required: true, content: json({ $ref: '#/components/schemas/Credentials' }) },
        responses: {
          '200': { description: 'signed in', content: json(token) },
          '400': problemResponse('invalid'),
          '401': problemResponse('wrong email or password'),
        },
      },
    },
  };
}

export function openApiDocumentOf(model: AppModel): JsonObject {
  const paths: Record<string, unknown> = {};
  let schemas: Record<string, JsonObject> = {
    Problem: {
      type: 'object',
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
      },
      required: ['title', 'status'],
    },
  };
  if (model.auth) {
    paths['/auth/register'] = authPaths()['/auth/register'];
    paths['/auth/login'] = authPaths()['/auth/login'];
    schemas.Credentials = credentials;
    schemas.Token = {
      type: 'object',
      properties: { token: { type: 'string' }, expires_at: { type: 'string', format: 'date-time' } },
      required: ['token', 'expires_at'],
    };
  }
  for (const resource of model.resources) {
    schemas = { ...schemas, ...resourceSchemas(resource) };
    const { collection, item, collectionOperations, itemOperations } = operationsOf(model, resource);
    if (Object.keys(collectionOperations).length > 0) paths[collection] = collectionOperations;
    if (Object.keys(itemOperations).length > 0) paths[item] = itemOperations;
  }
  return {
    openapi: '3.1.0',
    info: { title: model.title, version: '1.0.0', description: model.description },
    servers: [{ url: '/api' }],
    paths,
    components: {
      schemas,
      ...(model.auth ? { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } } : {}),
    },
  };
}
