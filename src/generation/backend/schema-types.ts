import { stringLiteral } from './code-text.js';
import { componentSchemas, type JsonSchema, type OpenApiDocument } from './document-operations.js';

// TypeScript types written from the document's component schemas, so the generated code's types say what
// the API's JSON says: `Post` (what is read), `PostInput` (a create) and `PostUpdate` (a change).

const PRIMITIVES: Readonly<Record<string, string>> = {
  string: 'string',
  integer: 'number',
  number: 'number',
  boolean: 'boolean',
  null: 'null',
};

/** The TypeScript type of a value matching the schema (the subset of JSON Schema the document uses). */
export function typeOfSchema(schema: JsonSchema): string {
  if (schema.enum) {
    return schema.enum.map((value) => (typeof value === 'string' ? stringLiteral(value) : String(value))).join(' | ');
  }
  const types = schema.type === undefined ? [] : typeof schema.type === 'string' ? [schema.type] : schema.type;
  const written = types.map((type) => {
    if (type === 'array') {
      const item = schema.items ? typeOfSchema(schema.items) : 'unknown';
      return item.includes(' ') ? `(${item})[]` : `${item}[]`;
    }
    return PRIMITIVES[type] ?? 'unknown';
  });
  return written.length > 0 ? written.join(' | ') : 'unknown';
}

const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An exported interface for one component schema of the document. */
export function interfaceOf(document: OpenApiDocument, name: string, comment: string): string {
  const schema = componentSchemas(document)[name];
  if (!schema?.properties) throw new Error(`the document has no object schema ${name}`);
  const required = new Set(schema.required ?? []);
  const lines = Object.entries(schema.properties).map(([property, propertySchema]) => {
    const key = PROPERTY_NAME.test(property) ? property : JSON.stringify(property);
    return `  ${key}${required.has(property) ? '' : '?'}: ${typeOfSchema(propertySchema)};`;
  });
  return `/** ${comment} */\nexport interface ${name} {\n${lines.join('\n')}\n}`;
}
