import type { Operation } from '../app-spec.js';
import type { Resource } from '../app-model.js';

// The backend's routes are written from the OpenAPI document: its paths, methods and security. This reads the
// few parts of the document that the route writer needs, by the operationIds the document gives.

export type OpenApiDocument = Readonly<Record<string, unknown>>;

export interface DocumentOperation {
  readonly operationId: string;
  /** as the document writes it, relative to the server URL (`/posts/{post_id}/comments`) */
  readonly path: string;
  /** as Fastify writes it (`/posts/:post_id/comments`) */
  readonly routePath: string;
  /** upper case (`PATCH`) */
  readonly method: string;
  readonly secured: boolean;
  readonly pathParameters: readonly string[];
}

interface RawOperation {
  operationId?: string;
  security?: unknown[];
  parameters?: { name: string; in: string }[];
}

export function documentOperations(document: OpenApiDocument): DocumentOperation[] {
  const paths = (document.paths ?? {}) as Record<string, Record<string, RawOperation>>;
  const operations: DocumentOperation[] = [];
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!operation.operationId) continue;
      operations.push({
        operationId: operation.operationId,
        path,
        routePath: path.replace(/\{([^}]+)\}/g, ':$1'),
        method: method.toUpperCase(),
        secured: (operation.security ?? []).length > 0,
        pathParameters: (operation.parameters ?? []).filter((parameter) => parameter.in === 'path').map((p) => p.name),
      });
    }
  }
  return operations;
}

const OPERATION_IDS: Readonly<Record<Operation, (resource: Resource) => string>> = {
  list: (resource) => `list${resource.name}s`,
  create: (resource) => `create${resource.name}`,
  get: (resource) => `get${resource.name}`,
  update: (resource) => `update${resource.name}`,
  delete: (resource) => `delete${resource.name}`,
};

/** The document's operation of a resource, or undefined when the resource does not offer it. */
export function operationOf(
  operations: readonly DocumentOperation[],
  resource: Resource,
  operation: Operation,
): DocumentOperation | undefined {
  const operationId = OPERATION_IDS[operation](resource);
  return operations.find((candidate) => candidate.operationId === operationId);
}

/** The component schemas of the document, by name. */
export function componentSchemas(document: OpenApiDocument): Readonly<Record<string, JsonSchema>> {
  const components = (document.components ?? {}) as { schemas?: Record<string, JsonSchema> };
  return components.schemas ?? {};
}

export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly format?: string;
  readonly description?: string;
}
