import fastJsonStringify from 'fast-json-stringify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { toJSONSchema, type ZodType } from 'zod';

type SerializerCompiler = Parameters<typeof zodSerializerCompiler>[0];

/**
 * Response serialisation compiled once per route from its zod schema's JSON Schema (fast-json-stringify, as
 * Fastify does for JSON Schema routes), instead of parsing every response through zod and then calling
 * JSON.stringify: a list of 50 proposals took zod longer to check than to stringify. The output is the same
 * JSON: fields not in the schema are left out, as zod's parse leaves them out. What differs is that a
 * response that breaks its own schema is no longer refused with a 500 but written as its schema types it.
 * A schema JSON Schema cannot express (a transform, a custom check) keeps the zod serializer.
 */
export function compiledSerializerCompiler(route: SerializerCompiler): (data: unknown) => string {
  const schema = route.schema as unknown;
  if (!isZodSchema(schema)) return zodSerializerCompiler(route);
  // Compiled on the route's first response, not at start-up: generating every route's serializer up front
  // would cost seconds before the server listens, most of them for routes a process never answers.
  let stringify: ((data: unknown) => string) | undefined;
  return (data) => {
    stringify ??= compile(schema, route);
    return stringify(data);
  };
}

function compile(schema: ZodType, route: SerializerCompiler): (data: unknown) => string {
  try {
    const json = toJSONSchema(schema, { target: 'draft-7', io: 'output', unrepresentable: 'throw', cycles: 'throw' });
    return fastJsonStringify(json as Parameters<typeof fastJsonStringify>[0]);
  } catch {
    return zodSerializerCompiler(route);
  }
}

function isZodSchema(schema: unknown): schema is ZodType {
  return typeof schema === 'object' && schema !== null && '_zod' in schema;
}
