import { z } from 'zod';
import { pluralize, snakeCase } from './naming.js';

// The structured description of an app that the offline engine generates from. Every check that can fail
// is here, before anything runs, so a bad spec is one 422 naming the field at fault.

const identifier = z
  .string()
  .min(1)
  .max(48)
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must start with a letter and hold only letters, digits and underscores');

export const FIELD_TYPES = [
  'string',
  'text',
  'integer',
  'number',
  'boolean',
  'date',
  'datetime',
  'email',
  'url',
  'uuid',
  'enum',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const OPERATIONS = ['list', 'get', 'create', 'update', 'delete'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Names every generated table already has. */
export const RESERVED_FIELD_NAMES = new Set(['id', 'created_at', 'updated_at']);

const fieldSpec = z.strictObject({
  name: identifier,
  type: z.enum(FIELD_TYPES),
  required: z.boolean().default(false).describe('a create must give it; it is never null'),
  unique: z.boolean().default(false),
  values: z.array(z.string().min(1).max(64)).min(1).max(100).optional().describe('the values of an enum field'),
  min_length: z.number().int().min(0).max(100_000).optional(),
  max_length: z.number().int().min(1).max(100_000).optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  description: z.string().max(500).optional(),
});
export type FieldSpec = z.infer<typeof fieldSpec>;

const relationSpec = z.strictObject({
  name: identifier.describe('the name of the link, e.g. `author` or `tags`'),
  kind: z
    .enum(['belongs_to', 'many_to_many'])
    .describe('belongs_to: this entity holds a reference (one-to-many); many_to_many: a join table links both'),
  target: identifier.describe('the name of the entity linked to'),
  required: z.boolean().default(false).describe('belongs_to only: the reference must be given'),
});
export type RelationSpec = z.infer<typeof relationSpec>;

const entitySpec = z.strictObject({
  name: identifier,
  plural: identifier.optional().describe('the plural used in URLs and table names; derived from the name if absent'),
  description: z.string().max(1000).optional(),
  fields: z.array(fieldSpec).min(1).max(100),
  relations: z.array(relationSpec).max(50).default([]),
  parent: identifier
    .optional()
    .describe(
      'nests the routes under the parent entity (`/parents/{parent_id}/children`); needs a required belongs_to',
    ),
  auth: z
    .union([z.boolean(), z.literal('write')])
    .default(false)
    .describe('true: every operation needs a signed-in user; "write": only create, update and delete do'),
  pagination: z.boolean().default(true).describe('list takes limit and offset and answers X-Total-Count'),
  operations: z
    .array(z.enum(OPERATIONS))
    .min(1)
    .default([...OPERATIONS]),
});
export type EntitySpec = z.infer<typeof entitySpec>;

export const appSpecSchema = z
  .strictObject({
    entities: z.array(entitySpec).min(1).max(50),
  })
  .superRefine((spec, context) => {
    const names = new Map<string, number>();
    spec.entities.forEach((entity, index) => {
      const key = entity.name.toLowerCase();
      if (names.has(key)) {
        context.addIssue({
          code: 'custom',
          path: ['entities', index, 'name'],
          message: `duplicate entity ${entity.name}`,
        });
      }
      names.set(key, index);
    });
    const plurals = new Map<string, string>();
    spec.entities.forEach((entity, index) => {
      const plural = snakeCase(entity.plural ?? pluralize(entity.name));
      const other = plurals.get(plural);
      if (other !== undefined && other !== entity.name.toLowerCase()) {
        context.addIssue({
          code: 'custom',
          path: ['entities', index, 'plural'],
          message: `${plural} is also the plural of ${other}`,
        });
      }
      plurals.set(plural, entity.name.toLowerCase());
    });
    spec.entities.forEach((entity, entityIndex) => checkEntity(entity, entityIndex, names, spec.entities, context));
    checkGeneratedNames(spec, plurals, context);
  });
export type AppSpec = z.infer<typeof appSpecSchema>;

/** URL segments (and so file names) the generated app uses for its own parts. */
const RESERVED_SEGMENTS = new Set([
  'app',
  'auth',
  'support',
  'server',
  'database',
  'migrations',
  'problems',
  'frontend',
  'openapi',
]);

/** Names the generated app takes for itself: its accounts' tables, its own files, join tables. */
function checkGeneratedNames(spec: AppSpec, plurals: ReadonlyMap<string, string>, context: z.RefinementCtx) {
  const withAccounts = spec.entities.some((entity) => entity.auth !== false);
  spec.entities.forEach((entity, index) => {
    const plural = snakeCase(entity.plural ?? pluralize(entity.name));
    const where = ['entities', index, entity.plural === undefined ? 'name' : 'plural'];
    if (withAccounts && (plural === 'users' || plural === 'sessions')) {
      context.addIssue({
        code: 'custom',
        path: where,
        message: `${plural} is the table of the app's accounts; choose another plural`,
      });
    }
    if (RESERVED_SEGMENTS.has(plural.replaceAll('_', '-'))) {
      context.addIssue({
        code: 'custom',
        path: where,
        message: `${plural} names a part of the generated app; choose another plural`,
      });
    }
    entity.relations.forEach((relation, relationIndex) => {
      if (relation.kind !== 'many_to_many') return;
      const joinTable = `${plural}_${snakeCase(relation.name)}`;
      if (plurals.has(joinTable) || (withAccounts && (joinTable === 'users' || joinTable === 'sessions'))) {
        context.addIssue({
          code: 'custom',
          path: ['entities', index, 'relations', relationIndex, 'name'],
          message: `its join table ${joinTable} is also an entity's table`,
        });
      }
    });
  });
}

function checkEntity(
  entity: EntitySpec,
  entityIndex: number,
  names: ReadonlyMap<string, number>,
  entities: readonly EntitySpec[],
  context: z.RefinementCtx,
) {
  const at = (...path: (string | number)[]) => ['entities', entityIndex, ...path];
  const seen = new Set<string>();
  entity.fields.forEach((field, index) => {
    const key = field.name.toLowerCase();
    if (RESERVED_FIELD_NAMES.has(key)) {
      context.addIssue({
        code: 'custom',
        path: at('fields', index, 'name'),
        message: `${field.name} is given to every entity`,
      });
    }
    if (seen.has(key))
      context.addIssue({ code: 'custom', path: at('fields', index, 'name'), message: `duplicate field ${field.name}` });
    seen.add(key);
    if (field.type === 'enum' && !field.values) {
      context.addIssue({
        code: 'custom',
        path: at('fields', index, 'values'),
        message: 'an enum field lists its values',
      });
    }
    if (field.type !== 'enum' && field.values) {
      context.addIssue({
        code: 'custom',
        path: at('fields', index, 'values'),
        message: 'only an enum field has values',
      });
    }
    if (field.values && new Set(field.values).size !== field.values.length) {
      context.addIssue({ code: 'custom', path: at('fields', index, 'values'), message: 'values must differ' });
    }
    if (field.min_length !== undefined && field.max_length !== undefined && field.min_length > field.max_length) {
      context.addIssue({ code: 'custom', path: at('fields', index, 'min_length'), message: 'is above max_length' });
    }
    if (field.minimum !== undefined && field.maximum !== undefined && field.minimum > field.maximum) {
      context.addIssue({ code: 'custom', path: at('fields', index, 'minimum'), message: 'is above maximum' });
    }
  });
  entity.relations.forEach((relation, index) => {
    const key = relation.name.toLowerCase();
    if (seen.has(key) || seen.has(`${key}_id`) || RESERVED_FIELD_NAMES.has(key)) {
      context.addIssue({
        code: 'custom',
        path: at('relations', index, 'name'),
        message: `${relation.name} is already a field`,
      });
    }
    seen.add(key);
    if (!names.has(relation.target.toLowerCase())) {
      context.addIssue({
        code: 'custom',
        path: at('relations', index, 'target'),
        message: `no entity ${relation.target}`,
      });
    }
    if (relation.kind === 'many_to_many' && relation.required) {
      context.addIssue({
        code: 'custom',
        path: at('relations', index, 'required'),
        message: 'only a belongs_to can be required',
      });
    }
  });
  if (entity.parent === undefined) return;
  const parentLink = entity.relations.find(
    (relation) => relation.kind === 'belongs_to' && relation.target.toLowerCase() === entity.parent?.toLowerCase(),
  );
  if (!parentLink?.required) {
    context.addIssue({
      code: 'custom',
      path: at('parent'),
      message: `needs a required belongs_to relation to ${entity.parent}`,
    });
    return;
  }
  // A chain of parents must end: nested routes are written out in full.
  const visited = new Set([entity.name.toLowerCase()]);
  let parent: string | undefined = entity.parent.toLowerCase();
  while (parent !== undefined) {
    if (visited.has(parent)) {
      context.addIssue({ code: 'custom', path: at('parent'), message: 'parents form a loop' });
      return;
    }
    visited.add(parent);
    const index = names.get(parent);
    parent = index === undefined ? undefined : entities[index]?.parent?.toLowerCase();
  }
}
