import { collectionPath, type AppModel, type Resource } from '../app-model.js';
import type { Operation } from '../app-spec.js';
import type { OpenApiDocument } from './api-client.js';

// The views call the client's functions by the operationIds the OpenAPI document gives each route, so a view
// calls exactly the function api.ts has for that route, and a model the document does not match fails here.

export type OperationIndex = (resource: Resource, operation: Operation) => string;

const ROUTES: Readonly<Record<Operation, { readonly item: boolean; readonly method: string }>> = {
  list: { item: false, method: 'get' },
  create: { item: false, method: 'post' },
  get: { item: true, method: 'get' },
  update: { item: true, method: 'patch' },
  delete: { item: true, method: 'delete' },
};

export function operationIndexOf(model: AppModel, document: OpenApiDocument): OperationIndex {
  return (resource, operation) => {
    const route = ROUTES[operation];
    const collection = collectionPath(model, resource);
    const path = route.item ? `${collection}/{id}` : collection;
    const operationId = document.paths?.[path]?.[route.method]?.operationId;
    if (operationId === undefined)
      throw new Error(`the OpenAPI document has no ${route.method.toUpperCase()} ${path} with an operationId`);
    return operationId;
  };
}
