import { z } from 'zod';

/**
 * The JSON Schema subset declarative agents accept for `input_schema` and `output_schema`, and its
 * conversion to zod (task input is validated with it, and the model's answer is asked for and checked
 * with it). Anything outside the subset is refused when the agent is saved, never silently ignored:
 *
 * - `type`: `object`, `string`, `number`, `integer`, `boolean` or `array` (one type; no `null`, no lists)
 * - every type: `description`, `title`
 * - object: `properties`, `required` (names of its properties), `additionalProperties: false` (unknown
 *   keys refused; otherwise they are dropped)
 * - string: `enum` (strings), `minLength`, `maxLength`
 * - number, integer: `enum` (numbers), `minimum`, `maximum`
 * - array: `items` (required), `minItems`, `maxItems`
 *
 * At most 8 levels deep and 200 properties in all.
 *
 * zod 4's `z.fromJSONSchema` is not used for the conversion; it differs from what this subset promises
 * (test/declarative-json-schema.test.ts shows each difference against it):
 * - an object without `additionalProperties: false` keeps unknown keys (JSON Schema's default, a
 *   passthrough object), where ours drops them from the task input and the model's answer (docs/agents.md),
 *   and the schema the model is given then says `"additionalProperties": {}`;
 * - a number `enum` becomes a union of literals: the model is given `anyOf` of `const`s instead of `enum`,
 *   and a wrong value is refused with "Invalid input" instead of naming the allowed values;
 * - it accepts keywords (`$ref`, `oneOf`, `pattern`, …) the subset refuses, so `checkJsonSchema` would be
 *   needed anyway, and zod marks it semi-experimental ("behavior is liable to change").
 */
export const SCHEMA_TYPES = ['object', 'string', 'number', 'integer', 'boolean', 'array'] as const;
export type SchemaType = (typeof SCHEMA_TYPES)[number];

export const MAX_SCHEMA_DEPTH = 8;
export const MAX_SCHEMA_PROPERTIES = 200;

const ANNOTATIONS = ['type', 'description', 'title'];
const KEYWORDS: Readonly<Record<SchemaType, readonly string[]>> = {
  object: [...ANNOTATIONS, 'properties', 'required', 'additionalProperties'],
  string: [...ANNOTATIONS, 'enum', 'minLength', 'maxLength'],
  number: [...ANNOTATIONS, 'enum', 'minimum', 'maximum'],
  integer: [...ANNOTATIONS, 'enum', 'minimum', 'maximum'],
  boolean: [...ANNOTATIONS],
  array: [...ANNOTATIONS, 'items', 'minItems', 'maxItems'],
};

/** What is wrong with a schema, at a path of keys inside it. */
export interface SchemaProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isCount = (value: unknown) => Number.isInteger(value) && (value as number) >= 0;

/** Checks a schema against the subset; its root must be an object schema. Answers every problem found. */
export function checkJsonSchema(schema: unknown): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  let properties = 0;
  const visit = (node: unknown, path: (string | number)[], depth: number) => {
    const problem = (message: string, at: (string | number)[] = path) => problems.push({ path: at, message });
    if (!isPlainObject(node)) return problem('must be a JSON Schema object');
    if (depth > MAX_SCHEMA_DEPTH) return problem(`nests deeper than ${MAX_SCHEMA_DEPTH} levels`);
    const type = node.type;
    if (typeof type !== 'string' || !(SCHEMA_TYPES as readonly string[]).includes(type)) {
      return problem(`must be one of ${SCHEMA_TYPES.join(', ')}`, [...path, 'type']);
    }
    const allowed = KEYWORDS[type as SchemaType];
    for (const key of Object.keys(node)) {
      if (!allowed.includes(key)) problem(`is not supported for type ${type} (see docs/agents.md)`, [...path, key]);
    }
    for (const key of ['description', 'title']) {
      if (key in node && typeof node[key] !== 'string') problem('must be a string', [...path, key]);
    }
    for (const key of ['minLength', 'maxLength', 'minItems', 'maxItems']) {
      if (key in node && !isCount(node[key])) problem('must be a non-negative integer', [...path, key]);
    }
    for (const key of ['minimum', 'maximum']) {
      if (key in node && (typeof node[key] !== 'number' || !Number.isFinite(node[key]))) {
        problem('must be a number', [...path, key]);
      }
    }
    for (const [low, high] of [
      ['minLength', 'maxLength'],
      ['minItems', 'maxItems'],
      ['minimum', 'maximum'],
    ] as const) {
      if (typeof node[low] === 'number' && typeof node[high] === 'number' && node[low] > node[high]) {
        problem(`must not be less than ${low}`, [...path, high]);
      }
    }
    if ('enum' in node) {
      const values = node.enum;
      const ofType = (value: unknown) =>
        type === 'string'
          ? typeof value === 'string'
          : typeof value === 'number' && (type === 'number' || Number.isInteger(value));
      if (!Array.isArray(values) || values.length === 0 || !values.every(ofType)) {
        problem(`must be a non-empty list of ${type === 'string' ? 'strings' : `${type}s`}`, [...path, 'enum']);
      } else if (new Set(values).size !== values.length) {
        problem('must not repeat a value', [...path, 'enum']);
      }
    }
    if (type === 'object') {
      const declared = node.properties ?? {};
      if (!isPlainObject(declared)) {
        problem('must be an object of property schemas', [...path, 'properties']);
      } else {
        for (const [name, child] of Object.entries(declared)) {
          properties += 1;
          if (properties > MAX_SCHEMA_PROPERTIES) {
            return problem(`has more than ${MAX_SCHEMA_PROPERTIES} properties in all`, [...path, 'properties']);
          }
          visit(child, [...path, 'properties', name], depth + 1);
        }
      }
      if ('required' in node) {
        const required = node.required;
        if (!Array.isArray(required) || !required.every((name) => typeof name === 'string')) {
          problem('must be a list of property names', [...path, 'required']);
        } else {
          for (const name of required) {
            if (!isPlainObject(declared) || !(name in declared)) {
              problem(`names ${JSON.stringify(name)}, which is not in properties`, [...path, 'required']);
            }
          }
        }
      }
      if ('additionalProperties' in node && node.additionalProperties !== false) {
        problem('may only be false (other values are not supported)', [...path, 'additionalProperties']);
      }
    }
    if (type === 'array') {
      if (!('items' in node)) problem('is required for arrays', [...path, 'items']);
      else visit(node.items, [...path, 'items'], depth + 1);
    }
  };
  visit(schema, [], 0);
  if (problems.length === 0 && isPlainObject(schema) && schema.type !== 'object') {
    problems.push({ path: ['type'], message: 'must be object at the top level' });
  }
  return problems;
}

/** The zod schema of a JSON Schema that passed `checkJsonSchema`. */
export function jsonSchemaToZod(schema: Record<string, unknown>): z.ZodType {
  const described = (result: z.ZodType) =>
    typeof schema.description === 'string' ? result.describe(schema.description) : result;
  const bounded = <T extends z.ZodString | z.ZodNumber>(
    base: T,
    low: number | undefined,
    high: number | undefined,
  ): T => {
    let result = base;
    if (low !== undefined) result = result.min(low) as T;
    if (high !== undefined) result = result.max(high) as T;
    return result;
  };
  const number = (key: string) => (typeof schema[key] === 'number' ? schema[key] : undefined);
  switch (schema.type as SchemaType) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      const required = new Set((schema.required ?? []) as string[]);
      const shape: Record<string, z.ZodType> = {};
      for (const [name, child] of Object.entries(properties)) {
        const converted = jsonSchemaToZod(child);
        shape[name] = required.has(name) ? converted : converted.optional();
      }
      return described(schema.additionalProperties === false ? z.strictObject(shape) : z.object(shape));
    }
    case 'string':
      if (Array.isArray(schema.enum)) return described(z.enum(schema.enum as [string, ...string[]]));
      return described(bounded(z.string(), number('minLength'), number('maxLength')));
    case 'number':
    case 'integer': {
      if (Array.isArray(schema.enum)) return described(z.literal(schema.enum as number[]));
      const base = schema.type === 'integer' ? z.number().int() : z.number();
      return described(bounded(base, number('minimum'), number('maximum')));
    }
    case 'boolean':
      return described(z.boolean());
    case 'array': {
      let array = z.array(jsonSchemaToZod(schema.items as Record<string, unknown>));
      if (number('minItems') !== undefined) array = array.min(number('minItems')!);
      if (number('maxItems') !== undefined) array = array.max(number('maxItems')!);
      return described(array);
    }
  }
}

/** A zod refinement for a body field holding a schema: each problem becomes an issue at its path. */
export function refineJsonSchema(value: unknown, context: z.RefinementCtx) {
  for (const problem of checkJsonSchema(value)) {
    context.addIssue({ code: 'custom', path: [...problem.path], message: problem.message });
  }
}
