import { resourceNamed, type AppModel, type Resource } from '../app-model.js';
import { propertyAccess } from './typescript-source.js';

// Addresses of the views (after the `#`). A nested resource's views live under its parent's item, as its API
// routes do: `/posts/:post_id/comments/:id`.

/** The route pattern of a resource's collection (`/posts/:post_id/comments`). */
export function collectionPattern(model: AppModel, resource: Resource): string {
  if (!resource.parent) return `/${resource.segment}`;
  const parent = resourceNamed(model, resource.parent.target);
  return `${collectionPattern(model, parent)}/:${resource.parent.column}/${resource.segment}`;
}

/**
 * A JavaScript expression for a resource's collection route, `idOf(column)` giving the expression of each
 * parent's id: `'/posts/' + encodeURIComponent(parents.post_id) + '/comments'`.
 */
export function collectionRouteExpression(
  model: AppModel,
  resource: Resource,
  idOf: (column: string) => string = (column) => propertyAccess('parents', column),
): string {
  if (!resource.parent) return `'/${resource.segment}'`;
  const parent = resourceNamed(model, resource.parent.target);
  const parentRoute = collectionRouteExpression(model, parent, idOf);
  const joined = parentRoute.endsWith("'") ? `${parentRoute.slice(0, -1)}/'` : `${parentRoute} + '/'`;
  return `${joined} + encodeURIComponent(${idOf(resource.parent.column)}) + '/${resource.segment}'`;
}

/** The resources whose routes nest directly under this one's items. */
export function childrenOf(model: AppModel, resource: Resource): Resource[] {
  return model.resources.filter((candidate) => candidate.parent?.target === resource.name);
}

/** Whether the views can link to an item of the resource knowing only its id. */
export function linkableById(resource: Resource): boolean {
  return resource.parent === undefined && resource.operations.includes('get');
}
