import { docComment, propertyKey, quote } from './typescript-source.js';

// JSON Schema (the subset the OpenAPI documents here use) as TypeScript types, for the generated client.

export interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly items?: JsonSchema;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly description?: string;
}

const SCHEMA_REFERENCE = '#/components/schemas/';

/** The name of the component a `$ref` points at. Only local component references are written here. */
export function referencedName(reference: string): string {
  if (!reference.startsWith(SCHEMA_REFERENCE)) throw new Error(`cannot follow the reference ${reference}`);
  return reference.slice(SCHEMA_REFERENCE.length);
}

function literalOf(value: unknown): string {
  return value === null ? 'null' : typeof value === 'string' ? quote(value) : JSON.stringify(value);
}

function arrayOf(type: string): string {
  return /^[A-Za-z0-9_]+$/.test(type) ? `${type}[]` : `Array<${type}>`;
}

/** The TypeScript type of a schema, `indent` being the indentation of the line it starts on. */
export function typeOf(schema: JsonSchema, indent = ''): string {
  if (schema.$ref !== undefined) return referencedName(schema.$ref);
  if (schema.enum !== undefined) return schema.enum.map(literalOf).join(' | ');
  const types = schema.type === undefined ? [] : typeof schema.type === 'string' ? [schema.type] : schema.type;
  if (types.length === 0) return 'unknown';
  return types
    .map((type) => {
      switch (type) {
        case 'string':
          return 'string';
        case 'integer':
        case 'number':
          return 'number';
        case 'boolean':
          return 'boolean';
        case 'null':
          return 'null';
        case 'array':
          return arrayOf(schema.items ? typeOf(schema.items, indent) : 'unknown');
        case 'object':
          return schema.properties ? objectTypeOf(schema, indent) : 'Record<string, unknown>';
        default:
          return 'unknown';
      }
    })
    .join(' | ');
}

/** An object type literal, one property a line. */
export function objectTypeOf(schema: JsonSchema, indent = ''): string {
  const required = new Set(schema.required ?? []);
  const inner = `${indent}  `;
  const lines = Object.entries(schema.properties ?? {}).map(
    ([name, property]) =>
      `${docComment(property.description, inner)}${inner}${propertyKey(name)}${required.has(name) ? '' : '?'}: ${typeOf(property, inner)};`,
  );
  return lines.length === 0 ? '{}' : `{\n${lines.join('\n')}\n${indent}}`;
}

/** A named type for a component schema: an interface for objects, an alias for anything else. */
export function declarationOf(name: string, schema: JsonSchema): string {
  const comment = docComment(schema.description);
  if (schema.properties !== undefined && schema.type === 'object')
    return `${comment}export interface ${name} ${objectTypeOf(schema)}\n`;
  return `${comment}export type ${name} = ${typeOf(schema)};\n`;
}
