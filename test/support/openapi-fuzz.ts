import { validateHeaderValue } from 'node:http';

/**
 * Builds hostile requests from an OpenAPI 3.0 document: for every operation, each parameter (path, query,
 * header) and each body field in turn gets every hostile value while the rest of the request stays
 * plausible. Everything is derived from the document, so a new route is fuzzed without touching the suite,
 * and nothing is random, so a failure names the exact request that caused it.
 */

type JsonSchema = {
  type?: string | string[];
  format?: string;
  pattern?: string;
  enum?: unknown[];
  minimum?: number;
  exclusiveMinimum?: number | boolean;
  minLength?: number;
  minItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
  default?: unknown;
  $ref?: string;
};

type Parameter = { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema?: JsonSchema };

type Operation = {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, unknown> }>;
};

export type OpenApiDocument = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, JsonSchema> };
};

const HUGE = 'x'.repeat(50_000);

/** Values no field should choke on. Each is sent in every slot; strings in paths, queries and headers. */
export const HOSTILE_VALUES: readonly unknown[] = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83d',
  '\u0000'.repeat(64),
  '',
  ' ',
  '\t\r\n',
  HUGE,
  '💥'.repeat(2000),
  'ab\u202ecd\u2066ef\u2069',
  '\ufeffbom',
  '\u200b',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd',
  '.git/config',
  'file:///etc/passwd',
  'http://169.254.169.254/latest/meta-data/',
  "' OR '1'='1' --",
  "'; DROP TABLE users; --",
  '<script>alert(1)</script>',
  '{{7*7}}${7*7}<%= 7*7 %>',
  '%00',
  '%',
  '\r\nX-Injected: 1',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '1e309',
  '0x1F',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-fffffffffffff',
  'not-a-uuid',
  '2026-02-30T25:61:61Z',
  '99999-12-31T23:59:59Z',
  null,
  true,
  false,
  0,
  -0,
  -1,
  1.5,
  -2_147_483_649,
  2_147_483_648,
  2 ** 53 + 2,
  1e308,
  -1e308,
  [],
  ['\u0000', '\ud800'],
  Array.from({ length: 5000 }, (_, index) => index),
  {},
  { '\u0000': '\u0000' },
  { $gt: '' },
  JSON.parse('{"__proto__":{"polluted":true}}') as unknown,
  { constructor: { prototype: { polluted: true } } },
  nested(2000),
];

/** Bodies that are not what the content type says, sent as raw text. */
export const HOSTILE_RAW_BODIES: readonly string[] = [
  'not json',
  '{"a":',
  '{"a":1}{"b":2}',
  '"\\u0000"',
  '{"a":"\\ud800"}',
  `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
  '\u0000',
];

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level += 1) value = level % 2 ? [value] : { a: value };
  return value;
}

export interface FuzzCase {
  readonly operation: string;
  readonly slot: string;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  /** JSON text or raw text; undefined sends no body */
  readonly payload: string | undefined;
  /** the operation streams its response (Server-Sent Events) */
  readonly streaming: boolean;
}

export interface FuzzOptions {
  /** good values for parameters by name, so one bad slot is not hidden behind another */
  readonly knownValues?: Record<string, string>;
  /** the hostile values to use (default: all) */
  readonly values?: readonly unknown[];
  readonly rawBodies?: readonly string[];
}

/** Every case for every operation in the document, in a stable order. */
export function* fuzzCases(document: OpenApiDocument, options: FuzzOptions = {}): Generator<FuzzCase> {
  const values = options.values ?? HOSTILE_VALUES;
  const rawBodies = options.rawBodies ?? HOSTILE_RAW_BODIES;
  const resolve = resolver(document);
  for (const [template, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const name = `${method.toUpperCase()} ${template}`;
      const parameters = (operation.parameters ?? []).filter((parameter) => parameter.in !== 'cookie');
      const sampleOf = (parameter: Parameter) =>
        options.knownValues?.[parameter.name] ?? stringSample(resolve, parameter.schema ?? {});
      const base = Object.fromEntries(parameters.map((parameter) => [slotName(parameter), sampleOf(parameter)]));
      const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
      const baseBody = bodySchema ? sample(resolve, bodySchema) : undefined;
      const streaming = Object.values(operation.responses ?? {}).some((response) =>
        Object.keys(response.content ?? {}).includes('text/event-stream'),
      );
      // An operation with nothing to fill still gets every value, in a query parameter it does not declare.
      const takesBody = method !== 'get';
      const slots: Parameter[] =
        parameters.length > 0 || takesBody ? parameters : [{ name: 'undeclared', in: 'query' }];
      const build = (
        slot: string,
        overrides: Record<string, unknown>,
        payload: string | undefined,
        contentType = 'application/json',
      ): FuzzCase | undefined => {
        const url = buildUrl(template, slots, { ...base, ...overrides });
        const headers: Record<string, string> = {};
        for (const parameter of parameters.filter((candidate) => candidate.in === 'header')) {
          const value = { ...base, ...overrides }[slotName(parameter)];
          if (value === undefined) continue;
          const text = typeof value === 'string' ? value : JSON.stringify(value);
          // Node's HTTP client cannot send such a header, so no server ever receives one.
          if (!isSendableHeader(parameter.name, text)) return undefined;
          headers[parameter.name] = text;
        }
        if (payload !== undefined) headers['content-type'] = contentType;
        return { operation: name, slot, method: method.toUpperCase(), url, headers, payload, streaming };
      };
      const basePayload = baseBody === undefined ? undefined : JSON.stringify(baseBody);

      for (const parameter of slots) {
        for (const value of values) {
          const found = build(
            `${slotName(parameter)} = ${describe(value)}`,
            { [slotName(parameter)]: value },
            basePayload,
          );
          if (found) yield found;
        }
      }
      if (!takesBody) continue;
      const bodySlots = bodySchema ? fieldPaths(resolve, bodySchema, baseBody) : [];
      for (const path of [[], ...bodySlots]) {
        for (const value of values) {
          const body = path.length === 0 ? value : withValue(baseBody, path, value);
          yield build(`body${path.map((key) => `.${key}`).join('')} = ${describe(value)}`, {}, JSON.stringify(body))!;
        }
      }
      for (const raw of rawBodies) yield build(`raw body ${describe(raw)}`, {}, raw)!;
      yield build('body as text/plain', {}, 'hello', 'text/plain')!;
      yield build('body as form', {}, 'a=%00', 'application/x-www-form-urlencoded')!;
    }
  }
}

function isSendableHeader(name: string, value: string): boolean {
  try {
    validateHeaderValue(name, value);
    return value.length < 8000;
  } catch {
    return false;
  }
}

function slotName(parameter: Parameter): string {
  return `${parameter.in}.${parameter.name}`;
}

export function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 40)}… (${text.length} chars)` : text;
}

function resolver(document: OpenApiDocument) {
  return (schema: JsonSchema): JsonSchema => {
    let current = schema;
    for (let hops = 0; current.$ref && hops < 20; hops += 1) {
      const name = current.$ref.split('/').pop()!;
      current = document.components?.schemas?.[name] ?? {};
    }
    return current;
  };
}

const UUID = '5a1f6a4e-8d3c-4f6b-9e2a-7c1d0b3e4f5a';
const STRING_CANDIDATES = ['fuzz', 'main', '1', 'fuzz-agent', 'src/fuzz.ts', 'fuzz@example.com'];

/** A plausible valid value for the schema (the first enum value, a date for a date, …). */
function sample(resolve: (schema: JsonSchema) => JsonSchema, raw: JsonSchema, depth = 0): unknown {
  const schema = resolve(raw);
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length)
    return sample(resolve, variants.find((variant) => resolve(variant).type !== 'null') ?? variants[0]!, depth);
  if (schema.allOf?.length) {
    return Object.assign({}, ...(schema.allOf.map((part) => sample(resolve, part, depth)) as object[]));
  }
  const type = [schema.type].flat().find((candidate) => candidate !== 'null');
  switch (type) {
    case 'string':
      return stringSample(resolve, schema);
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? Math.max(schema.minimum, 1) : 1;
    case 'boolean':
      return false;
    case 'array':
      return depth > 6
        ? []
        : Array.from({ length: Math.max(schema.minItems ?? 0, 1) }, () =>
            sample(resolve, schema.items ?? {}, depth + 1),
          );
    case 'object':
    default: {
      if (!schema.properties) return type === 'object' ? {} : 'fuzz';
      const required = new Set(schema.required ?? []);
      return Object.fromEntries(
        Object.entries(schema.properties)
          .filter(([key]) => required.has(key))
          .map(([key, property]) => [key, sample(resolve, property, depth + 1)]),
      );
    }
  }
}

function stringSample(resolve: (schema: JsonSchema) => JsonSchema, raw: JsonSchema): string {
  const schema = resolve(raw);
  if (schema.enum?.length) return String(schema.enum[0]);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) return stringSample(resolve, variants[0]!);
  if (schema.type === 'integer' || schema.type === 'number') return String(sample(resolve, schema));
  if (schema.type === 'boolean') return 'false';
  switch (schema.format) {
    case 'uuid':
      return UUID;
    case 'email':
      return 'fuzz@example.com';
    case 'date-time':
      return '2026-01-01T00:00:00Z';
    case 'date':
      return '2026-01-01';
  }
  const pattern = schema.pattern ? new RegExp(schema.pattern) : undefined;
  const candidate = STRING_CANDIDATES.find((text) => !pattern || pattern.test(text)) ?? 'fuzz';
  return candidate.padEnd(schema.minLength ?? 0, 'z');
}

/** Paths to every field the schema describes (objects' properties, arrays' first item), depth first. */
function fieldPaths(
  resolve: (schema: JsonSchema) => JsonSchema,
  raw: JsonSchema,
  value: unknown,
  depth = 0,
): string[][] {
  const schema = resolve(raw);
  if (depth > 6) return [];
  const variants = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (variants?.length) {
    const seen = new Set<string>();
    return variants
      .flatMap((variant) => fieldPaths(resolve, variant, value, depth))
      .filter((path) => !seen.has(path.join('\0')) && seen.add(path.join('\0')));
  }
  const paths: string[][] = [];
  if (schema.properties) {
    for (const [key, property] of Object.entries(schema.properties)) {
      paths.push([key]);
      const child = (value as Record<string, unknown> | undefined)?.[key] ?? sample(resolve, property, depth + 1);
      for (const path of fieldPaths(resolve, property, child, depth + 1)) paths.push([key, ...path]);
    }
  }
  if (schema.items) {
    const child = Array.isArray(value) && value.length ? value[0] : sample(resolve, schema.items, depth + 1);
    for (const path of fieldPaths(resolve, schema.items, child, depth + 1)) paths.push(['0', ...path]);
  }
  return paths;
}

/** A copy of `base` with `value` at `path`, creating the objects and arrays on the way. */
function withValue(base: unknown, path: string[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const container: Record<string, unknown> | unknown[] = Array.isArray(base)
    ? [...(base as unknown[])]
    : typeof base === 'object' && base !== null
      ? { ...(base as Record<string, unknown>) }
      : /^\d+$/.test(head)
        ? []
        : {};
  (container as Record<string, unknown>)[head] = withValue((container as Record<string, unknown>)[head], rest, value);
  return container;
}

function buildUrl(template: string, parameters: Parameter[], values: Record<string, unknown>): string {
  const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => encode(asText(values[`path.${name}`])));
  const query: string[] = [];
  for (const parameter of parameters.filter((candidate) => candidate.in === 'query')) {
    const value = values[slotName(parameter)];
    if (value === undefined) continue;
    if (value === null) query.push(encode(parameter.name));
    // An array for a scalar: the parameter repeated.
    else if (Array.isArray(value) && value.length < 50) {
      for (const item of value) query.push(`${encode(parameter.name)}=${encode(asText(item))}`);
    } else query.push(`${encode(parameter.name)}=${encode(asText(value))}`);
  }
  return query.length ? `${path}?${query.join('&')}` : path;
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

/**
 * Percent-encodes like encodeURIComponent, except that a lone surrogate (which has no UTF-8 form, so
 * encodeURIComponent throws) becomes the bytes a careless client would send for it (WTF-8).
 */
export function encode(text: string): string {
  let out = '';
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    const isHigh = unit >= 0xd800 && unit <= 0xdbff;
    const next = text.charCodeAt(index + 1);
    if (isHigh && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(text.slice(index, index + 2));
      index += 1;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(text[index]!);
  }
  return out;
}
