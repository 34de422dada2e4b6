// The part of the contract tests script that reads JSON schemas: following `#/components/schemas` references,
// validating a response with Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1, with ajv-formats), and
// writing sample values: valid ones (every string unique to its call) and ones of a wrong type.
// Plain JavaScript in a raw string, so it must hold neither backticks nor dollar-brace.

export const SCHEMAS_PART = String.raw`
const RUN_TAG = randomBytes(3).toString('hex');
let uniqueCount = 0;

/** A text no other call of this run answers: a counter, then a tag of this run. */
function uniqueText() {
  uniqueCount += 1;
  return uniqueCount.toString(36) + RUN_TAG;
}

function pointed(reference) {
  if (!reference.startsWith('#/')) throw new ContractError('only references inside the document are followed: ' + reference);
  let value = DOCUMENT;
  for (const part of reference.slice(2).split('/')) {
    const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
    value = value !== null && typeof value === 'object' ? value[key] : undefined;
  }
  if (value === undefined) throw new ContractError('the document has no ' + reference);
  return value;
}

/** The schema with its references followed, allOf merged and the first branch of oneOf / anyOf taken. */
function resolved(schema) {
  let current = schema ?? {};
  for (let depth = 0; typeof current.$ref === 'string'; depth += 1) {
    if (depth > 32) throw new ContractError('a loop of references at ' + current.$ref);
    current = pointed(current.$ref);
  }
  if (Array.isArray(current.allOf)) {
    const merged = { ...current, allOf: undefined, properties: { ...current.properties }, required: [...(current.required ?? [])] };
    for (const part of current.allOf.map(resolved)) {
      Object.assign(merged, { ...part, properties: merged.properties, required: merged.required });
      Object.assign(merged.properties, part.properties ?? {});
      merged.required.push(...(part.required ?? []));
    }
    return merged;
  }
  const branches = current.oneOf ?? current.anyOf;
  if (Array.isArray(branches) && current.type === undefined) {
    const branch = branches.map(resolved).find((candidate) => typesOf(candidate).some((type) => type !== 'null'));
    if (branch) return branch;
  }
  return current;
}

function typesOf(schema) {
  const own = resolved(schema);
  if (own.type !== undefined) return Array.isArray(own.type) ? own.type : [own.type];
  if (Array.isArray(own.enum)) return [...new Set(own.enum.map(jsonTypeOf))];
  if (own.properties) return ['object'];
  if (own.items) return ['array'];
  return [];
}

function jsonTypeOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

function matchesType(value, types) {
  const type = jsonTypeOf(value);
  return types.includes(type) || (type === 'integer' && types.includes('number'));
}

/** The type a sample takes: the first one other than null. */
const mainTypeOf = (schema) => typesOf(schema).find((type) => type !== 'null');

function sampleString(schema) {
  switch (schema.format) {
    case 'email':
      return 'user' + uniqueText() + '@example.com';
    case 'uri':
    case 'url':
      return 'https://example.com/' + uniqueText();
    case 'uuid':
      return randomUUID();
    case 'date':
      return '2024-02-29';
    case 'date-time':
      return '2024-02-29T12:30:00.000Z';
    case 'time':
      return '12:30:00Z';
    case 'hostname':
      return 'host' + uniqueText() + '.example.com';
    case 'ipv4':
      return '192.0.2.1';
    default:
      break;
  }
  let text = 's' + uniqueText();
  while (text.length < (schema.minLength ?? 0)) text += 'x';
  return text.slice(0, schema.maxLength ?? text.length);
}

function sampleNumber(schema, integer) {
  const step = integer ? 1 : 0.5;
  const low = schema.minimum ?? (schema.exclusiveMinimum === undefined ? -Infinity : schema.exclusiveMinimum + step);
  const high = schema.maximum ?? (schema.exclusiveMaximum === undefined ? Infinity : schema.exclusiveMaximum - step);
  let value = integer ? 1 : 1.5;
  if (value < low) value = integer ? Math.ceil(low) : low;
  if (value > high) value = integer ? Math.floor(high) : high;
  if (schema.multipleOf) value = Math.ceil(value / schema.multipleOf) * schema.multipleOf;
  return value;
}

/** A valid value of the schema (an object's references are the caller's: see sampleBody). */
function sampleValue(schema) {
  const own = resolved(schema);
  if ('const' in own) return own.const;
  if (Array.isArray(own.enum)) {
    const value = own.enum.find((candidate) => candidate !== null);
    if (value !== undefined) return value;
  }
  switch (mainTypeOf(own)) {
    case 'string':
      return sampleString(own);
    case 'integer':
      return sampleNumber(own, true);
    case 'number':
      return sampleNumber(own, false);
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: own.minItems ?? 0 }, () => sampleValue(own.items));
    case 'object': {
      const value = {};
      for (const [name, property] of Object.entries(own.properties ?? {})) value[name] = sampleValue(property);
      return value;
    }
    case 'null':
      return null;
    default:
      return 's' + uniqueText();
  }
}

const WRONG_VALUES = [12345, 'not a valid value', true, ['not', 'valid'], { not: 'valid' }];

/** A value of none of the schema's types, or undefined when it allows any type. */
function wrongValueOf(schema) {
  const types = typesOf(schema);
  if (types.length === 0) return undefined;
  return WRONG_VALUES.find((value) => !matchesType(value, types));
}

/** The valid body with one property (a required one first) of a wrong type; a string when it has none. */
function invalidBodyOf(schema, validBody) {
  const own = resolved(schema);
  const properties = own.properties ?? {};
  const names = [...new Set([...(own.required ?? []), ...Object.keys(properties)])];
  for (const name of names) {
    const wrong = wrongValueOf(properties[name] ?? {});
    if (wrong !== undefined) return { body: { ...validBody, [name]: wrong }, detail: name + ' = ' + JSON.stringify(wrong) };
  }
  return { body: 'not an object', detail: 'a string for an object' };
}

/** An id no resource has, of the path parameter's schema. */
function unknownIdOf(schema) {
  const own = resolved(schema);
  if (own.format === 'uuid') return '5a1c7d1e-0000-4000-8000-000000000000';
  if (mainTypeOf(own) === 'integer' || mainTypeOf(own) === 'number') return own.maximum ?? 2147483646;
  return 'unknown-' + RUN_TAG;
}

/** An id of the wrong shape for the path parameter's schema, or undefined when any text is an id. */
function malformedIdOf(schema) {
  const own = resolved(schema);
  if (own.format === 'uuid') return 'not-a-uuid';
  if (mainTypeOf(own) === 'integer' || mainTypeOf(own) === 'number') return 'not-a-number';
  return undefined;
}

const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
addFormats(ajv);
const DOCUMENT_ID = 'urn:lvlup:contract:openapi.json';
ajv.addSchema({ $id: DOCUMENT_ID, components: DOCUMENT.components ?? {} });
const validators = new Map();

/** The schema with its local references pointing into the document Ajv holds. */
function anchored(schema) {
  if (Array.isArray(schema)) return schema.map(anchored);
  if (schema === null || typeof schema !== 'object') return schema;
  const copy = {};
  for (const [key, value] of Object.entries(schema)) {
    copy[key] = key === '$ref' && typeof value === 'string' && value.startsWith('#/') ? DOCUMENT_ID + value : anchored(value);
  }
  return copy;
}

/** What is wrong with the value as the schema sees it: an empty list when it is valid. */
function schemaErrorsOf(schema, value) {
  const key = JSON.stringify(schema);
  if (!validators.has(key)) validators.set(key, ajv.compile(anchored(schema)));
  const validate = validators.get(key);
  if (validate(value)) return [];
  return validate.errors.map((error) => (error.instancePath || '(the body)') + ' ' + error.message);
}
`;
