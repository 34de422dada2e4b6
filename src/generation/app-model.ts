import type { AppSpec, EntitySpec, FieldType, Operation } from './app-spec.js';
import { codeNamesOf, type CodeNames } from './code-names.js';
import { kebabCase, pascalCase, pluralize, singularize, snakeCase, titleCase } from './naming.js';

// The one model every generator reads: resources with their columns, links, routes and access, whatever
// the input was (a structured spec or an OpenAPI document). Names are resolved here once, so generators
// never derive a name twice in two ways.

export interface ModelField {
  /** snake_case: the JSON property and the SQL column */
  readonly name: string;
  readonly type: FieldType;
  readonly required: boolean;
  readonly unique: boolean;
  readonly values?: readonly string[] | undefined;
  readonly minLength?: number | undefined;
  readonly maxLength?: number | undefined;
  readonly minimum?: number | undefined;
  readonly maximum?: number | undefined;
  readonly description?: string | undefined;
}

export interface BelongsTo {
  /** snake_case name of the link (`author`) */
  readonly name: string;
  /** the column and JSON property holding the target's id (`author_id`) */
  readonly column: string;
  readonly target: string;
  readonly required: boolean;
}

export interface ManyToMany {
  readonly name: string;
  /** JSON property listing the linked ids (`tag_ids`) */
  readonly property: string;
  readonly target: string;
  readonly joinTable: string;
  /** the join table's column pointing at this resource, and the one pointing at the target */
  readonly ownColumn: string;
  readonly targetColumn: string;
}

export type AuthMode = 'none' | 'write' | 'all';

export interface Resource {
  /** PascalCase singular: the type name (`BlogPost`) */
  readonly name: string;
  /** camelCase singular for variables (`blogPost`) */
  readonly variable: string;
  readonly title: string;
  readonly pluralTitle: string;
  /** snake_case plural: the table (`blog_posts`) */
  readonly table: string;
  /** kebab-case plural: the URL segment and file name (`blog-posts`) */
  readonly segment: string;
  readonly description?: string | undefined;
  readonly fields: readonly ModelField[];
  readonly belongsTo: readonly BelongsTo[];
  readonly manyToMany: readonly ManyToMany[];
  /** set when the routes nest under a parent: the link to it */
  readonly parent?: BelongsTo | undefined;
  readonly auth: AuthMode;
  readonly pagination: boolean;
  readonly operations: readonly Operation[];
}

export interface AppModel {
  /** kebab-case package name */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly resources: readonly Resource[];
  /** whether any operation needs a signed-in user: the app then has accounts */
  readonly auth: boolean;
}

export function modelFromSpec(project: { name: string; description: string }, spec: AppSpec): AppModel {
  const codeNames = codeNamesOf(spec.entities.map((entity) => entity.name));
  const byName = new Map(spec.entities.map((entity, index) => [entity.name.toLowerCase(), codeNames[index]!.type]));
  const specNames = new Map(spec.entities.map((entity) => [entity.name.toLowerCase(), entity.name]));
  const resources = spec.entities.map((entity, index) => resourceOf(entity, codeNames[index]!, byName, specNames));
  return {
    name: kebabCase(project.name) || 'app',
    title: titleCase(project.name) || 'App',
    description: project.description,
    resources,
    auth: resources.some((resource) => resource.auth !== 'none'),
  };
}

function resourceOf(
  entity: EntitySpec,
  codeNames: CodeNames,
  byName: ReadonlyMap<string, string>,
  specNames: ReadonlyMap<string, string>,
): Resource {
  const name = codeNames.type;
  const plural = snakeCase(entity.plural ?? pluralize(entity.name));
  const targetOf = (target: string) => byName.get(target.toLowerCase()) ?? pascalCase(target);
  const belongsTo = entity.relations
    .filter((relation) => relation.kind === 'belongs_to')
    .map((relation) => ({
      name: snakeCase(relation.name),
      column: `${snakeCase(relation.name)}_id`,
      target: targetOf(relation.target),
      required: relation.required,
    }));
  const manyToMany = entity.relations
    .filter((relation) => relation.kind === 'many_to_many')
    .map((relation) => ({
      name: snakeCase(relation.name),
      property: `${singularize(relation.name)}_ids`,
      target: targetOf(relation.target),
      joinTable: `${plural}_${snakeCase(relation.name)}`,
      ownColumn: `${snakeCase(entity.name)}_id`,
      // the entity's own name, not its name in the code: columns follow the spec
      targetColumn: `${snakeCase(specNames.get(relation.target.toLowerCase()) ?? relation.target)}_id`,
    }))
    .map((link) =>
      // a self-link (`Person.friends → Person`) would name both join columns alike
      link.ownColumn === link.targetColumn ? { ...link, targetColumn: `${snakeCase(link.name)}_id` } : link,
    );
  const parentName = entity.parent === undefined ? undefined : targetOf(entity.parent);
  return {
    name,
    variable: codeNames.variable,
    title: titleCase(entity.name),
    pluralTitle: titleCase(plural),
    table: plural,
    segment: kebabCase(plural),
    description: entity.description,
    fields: entity.fields.map((field) => ({
      name: snakeCase(field.name),
      type: field.type,
      required: field.required,
      unique: field.unique,
      values: field.values,
      minLength: field.min_length,
      maxLength: field.max_length,
      minimum: field.minimum,
      maximum: field.maximum,
      description: field.description,
    })),
    belongsTo,
    manyToMany,
    parent:
      parentName === undefined ? undefined : belongsTo.find((link) => link.target === parentName && link.required),
    auth: entity.auth === true ? 'all' : entity.auth === 'write' ? 'write' : 'none',
    pagination: entity.pagination,
    operations: entity.operations,
  };
}

/** The resource a link points at. The model is built so that it exists. */
export function resourceNamed(model: AppModel, name: string): Resource {
  const resource = model.resources.find((candidate) => candidate.name === name);
  if (!resource) throw new Error(`the model has no resource ${name}`);
  return resource;
}

/** The URL of a resource's collection, with its parents' ids as path parameters (`/posts/{post_id}/comments`). */
export function collectionPath(model: AppModel, resource: Resource): string {
  if (!resource.parent) return `/${resource.segment}`;
  const parent = resourceNamed(model, resource.parent.target);
  return `${collectionPath(model, parent)}/{${resource.parent.column}}/${resource.segment}`;
}

/** The path parameters of a resource's collection URL, outermost first. */
export function parentParameters(model: AppModel, resource: Resource): string[] {
  if (!resource.parent) return [];
  return [...parentParameters(model, resourceNamed(model, resource.parent.target)), resource.parent.column];
}
