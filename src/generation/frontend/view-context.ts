import { parentParameters, resourceNamed, type AppModel, type Resource } from '../app-model.js';
import type { Operation } from '../app-spec.js';
import type { OperationIndex } from './operation-index.js';
import { propertyAccess } from './typescript-source.js';

// What every view of one resource refers to: its props, the expressions of its routes, the arguments of its
// API calls. Built once, so the list, detail and form views agree.

export interface ViewContext {
  readonly model: AppModel;
  readonly resource: Resource;
  readonly nested: boolean;
  /** `CommentParents`: the ids of the items the resource nests under */
  readonly parentsType: string;
  /** the parent ids in dependency lists: `parents.post_id` */
  readonly parentIds: readonly string[];
  readonly has: (operation: Operation) => boolean;
  /** the client function of an operation: `api.listPosts` */
  readonly call: (operation: Operation) => string;
  readonly operations: OperationIndex;
  /** `collectionRoute(parents)` */
  readonly collectionRoute: string;
  /** `itemRoute(parents, id)` */
  readonly itemRoute: (id: string) => string;
  /** the parameters of a call on one item: `{ ...parents, id }` */
  readonly itemParameters: string;
  /** the route of the parent item's detail page, when there is one */
  readonly parentRoute: string | undefined;
  readonly singular: string;
  readonly plural: string;
  /** the props of a view on the collection, and of one on an item */
  readonly collectionProps: string;
  readonly itemProps: string;
}

export function viewContextOf(model: AppModel, resource: Resource, operations: OperationIndex): ViewContext {
  const nested = resource.parent !== undefined;
  const parentsType = `${resource.name}Parents`;
  const parentsArgument = nested ? 'parents' : '';
  const present = new Set(resource.operations);
  const parent = resource.parent ? resourceNamed(model, resource.parent.target) : undefined;
  return {
    model,
    resource,
    nested,
    parentsType,
    parentIds: parentParameters(model, resource).map((column) => propertyAccess('parents', column)),
    has: (operation) => present.has(operation),
    call: (operation) => `api.${operations(resource, operation)}`,
    operations,
    collectionRoute: `collectionRoute(${parentsArgument})`,
    itemRoute: (id) => `itemRoute(${nested ? 'parents, ' : ''}${id})`,
    itemParameters: nested ? '{ ...parents, id }' : '{ id }',
    parentRoute: parent && resource.parent && parent.operations.includes('get') ? `parentRoute(parents)` : undefined,
    singular: resource.title.toLowerCase(),
    plural: resource.pluralTitle.toLowerCase(),
    collectionProps: nested ? `{ parents }: { readonly parents: ${parentsType} }` : '',
    itemProps: nested
      ? `{ id, parents }: { readonly id: string; readonly parents: ${parentsType} }`
      : '{ id }: { readonly id: string }',
  };
}
