// The JSON Schema subset of declarative agents and its conversion to zod (src/agents/declarative/json-schema.ts),
// against zod's own `z.fromJSONSchema`, which it does not use for the reasons these tests show.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { checkJsonSchema, jsonSchemaToZod } from '../src/agents/declarative/json-schema.js';

const modelSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' });

describe('jsonSchemaToZod', () => {
  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, description: 'who' },
      size: { type: 'number', enum: [1, 2.5] },
      tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, maxItems: 2 },
      strict: { type: 'object', properties: { on: { type: 'boolean' } }, additionalProperties: false },
    },
    required: ['name'],
  };

  it('drops unknown keys of objects that do not refuse them, where z.fromJSONSchema keeps them', () => {
    const input = { name: 'Ada', extra: 1 };
    assert.deepEqual(jsonSchemaToZod(schema).parse(input), { name: 'Ada' });
    assert.deepEqual(z.fromJSONSchema(schema as z.core.JSONSchema.JSONSchema).parse(input), input);
    assert.equal(modelSchema(jsonSchemaToZod(schema)).additionalProperties, undefined);
    assert.deepEqual(modelSchema(z.fromJSONSchema(schema as z.core.JSONSchema.JSONSchema)).additionalProperties, {});
  });

  it('refuses unknown keys with additionalProperties: false, naming the key', () => {
    const result = jsonSchemaToZod(schema).safeParse({ name: 'Ada', strict: { on: true, off: false } });
    assert.equal(result.success, false);
    assert.deepEqual(
      result.error?.issues.map((issue) => [issue.path, issue.code]),
      [[['strict'], 'unrecognized_keys']],
    );
  });

  it('keeps a number enum an enum, naming the allowed values, where z.fromJSONSchema makes a union', () => {
    const ours = jsonSchemaToZod(schema).safeParse({ name: 'Ada', size: 3 });
    assert.match(ours.error?.issues[0]?.message ?? '', /1\|2\.5/);
    const theirs = z.fromJSONSchema(schema as z.core.JSONSchema.JSONSchema).safeParse({ name: 'Ada', size: 3 });
    assert.doesNotMatch(theirs.error?.issues[0]?.message ?? '', /2\.5/);
    const size = (converted: z.ZodType) =>
      (modelSchema(converted).properties as Record<string, Record<string, unknown>>).size;
    assert.deepEqual(size(jsonSchemaToZod(schema)), { type: 'number', enum: [1, 2.5] });
    assert.ok(size(z.fromJSONSchema(schema as z.core.JSONSchema.JSONSchema))?.anyOf);
  });

  it('enforces the bounds and required properties of the subset', () => {
    const converted = jsonSchemaToZod(schema);
    assert.equal(converted.safeParse({}).success, false);
    assert.equal(converted.safeParse({ name: '' }).success, false);
    assert.equal(converted.safeParse({ name: 'Ada', tags: ['a', 'b', 'a'] }).success, false);
    assert.equal(converted.safeParse({ name: 'Ada', tags: ['c'] }).success, false);
    assert.deepEqual(converted.parse({ name: 'Ada', tags: ['b'], size: 2.5 }), { name: 'Ada', tags: ['b'], size: 2.5 });
  });
});

describe('checkJsonSchema', () => {
  it('refuses keywords z.fromJSONSchema accepts, at their path', () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string', pattern: '^a+$' }, any: { oneOf: [{ type: 'string' }] } },
    };
    const theirs = z.fromJSONSchema(schema as z.core.JSONSchema.JSONSchema);
    assert.equal(theirs.safeParse({ name: 'b' }).success, false);
    assert.deepEqual(
      checkJsonSchema(schema).map((problem) => problem.path.join('.')),
      ['properties.name.pattern', 'properties.any.type'],
    );
    assert.deepEqual(
      checkJsonSchema({ ...schema, properties: {}, $ref: '#/x' }).map((problem) => problem.path.join('.')),
      ['$ref'],
    );
  });
});
