import { wordsOf } from '../naming.js';
import { referencedName, type JsonSchema } from '../frontend/schema-types.js';

// Dart names, literals and the JSON Schema subset of the OpenAPI documents as Dart types, with the
// expressions that read a value from decoded JSON and write it back.

const RESERVED = new Set(
  (
    'abstract as assert async await base break case catch class const continue covariant default deferred do ' +
    'dynamic else enum export extends extension external factory false final finally for function get hide if ' +
    'implements import in interface is late library mixin new null of on operator part required rethrow return ' +
    'sealed set show static super switch sync this throw true try type typedef var void when while with yield'
  ).split(' '),
);

/** A lowerCamelCase Dart identifier for a JSON property or parameter: `tag_ids` → `tagIds`. */
export function dartName(name: string): string {
  const words = wordsOf(name).map((word) => word.toLowerCase());
  const joined = words
    .map((word, index) => (index === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1)))
    .join('');
  const safe = /^[a-z]/.test(joined) ? joined : `value${joined.charAt(0).toUpperCase()}${joined.slice(1)}`;
  return RESERVED.has(safe) ? `${safe}Value` : safe;
}

/** A single-quoted Dart string literal: no interpolation, escapes kept. */
export function dartString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\$/g, '\\$').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

function types(schema: JsonSchema): string[] {
  return schema.type === undefined ? [] : typeof schema.type === 'string' ? [schema.type] : [...schema.type];
}

export const allowsNull = (schema: JsonSchema) => types(schema).includes('null');

/** The Dart type of a value of the schema, without the `?` of a nullable one. */
export function dartType(schema: JsonSchema): string {
  if (schema.$ref) return referencedName(schema.$ref);
  const type = types(schema).find((candidate) => candidate !== 'null');
  switch (type) {
    case 'string':
      return 'String';
    case 'integer':
      return 'int';
    case 'number':
      return 'double';
    case 'boolean':
      return 'bool';
    case 'array':
      return `List<${schema.items ? dartType(schema.items) : 'Object?'}>`;
    case 'object':
      return 'Map<String, dynamic>';
    default:
      return 'Object?';
  }
}

/** The Dart expression reading `value` (a decoded JSON value known not to be null) as the schema's type. */
export function fromJsonExpression(schema: JsonSchema, value: string): string {
  if (schema.$ref) return `${referencedName(schema.$ref)}.fromJson(${value} as Map<String, dynamic>)`;
  const type = dartType(schema);
  if (type === 'int') return `(${value} as num).toInt()`;
  if (type === 'double') return `(${value} as num).toDouble()`;
  if (type.startsWith('List<')) {
    const item = schema.items ?? {};
    return `(${value} as List<dynamic>).map((element) => ${fromJsonExpression(item, 'element')}).toList()`;
  }
  if (type === 'Object?') return value;
  return `${value} as ${type}`;
}

/** The Dart expression writing `value` (not null) back as JSON. */
export function toJsonExpression(schema: JsonSchema, value: string): string {
  if (schema.$ref) return `${value}.toJson()`;
  if (dartType(schema).startsWith('List<') && schema.items?.$ref) {
    return `${value}.map((element) => element.toJson()).toList()`;
  }
  return value;
}
