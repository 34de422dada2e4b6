import { z } from 'zod';
import { checkJsonSchema, jsonSchemaToZod, refineJsonSchema } from './json-schema.js';

/** The type every declarative agent's row has; its handler is src/agents/declarative/definition.ts. */
export const DECLARATIVE_TYPE = 'declarative';

/** The name rule of agent types (src/tasks/agent-registry.ts), also applied to declarative agents' names. */
export const AGENT_NAME_PATTERN = /^[a-z][a-z0-9-]{1,39}$/;

export const MAX_INSTRUCTIONS_LENGTH = 20_000;
/** A schema's JSON text may be at most this long. */
export const MAX_SCHEMA_CHARS = 32 * 1024;

const jsonSchemaField = (what: string) =>
  z
    .record(z.string(), z.unknown())
    .superRefine((value, context) => {
      if (JSON.stringify(value).length > MAX_SCHEMA_CHARS) {
        context.addIssue({ code: 'custom', message: `must be at most ${MAX_SCHEMA_CHARS} characters as JSON` });
        return;
      }
      refineJsonSchema(value, context);
    })
    .describe(
      `JSON Schema of ${what}: an object schema in the subset of docs/agents.md (type object/string/number/` +
        'integer/boolean/array, properties, required, additionalProperties: false, enum, items, ' +
        'minLength/maxLength, minimum/maximum, minItems/maxItems, description, title)',
    );

const instructions = z
  .string()
  .trim()
  .min(1)
  .max(MAX_INSTRUCTIONS_LENGTH)
  .describe("the system prompt: what the agent does with a task's input");
const model = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .describe(
    'the model its calls go to, `provider:model` or a model of the default provider; LLM_MODEL_<NAME> overrides ' +
      'it, and without either the calls follow LLM_MODEL',
  );
const description = z.string().trim().max(2000);

export const createDeclarativeBody = z
  .strictObject({
    name: z
      .string()
      .regex(AGENT_NAME_PATTERN, 'must be 2–40 lower-case letters, digits or dashes, starting with a letter')
      .describe('unique among agents; also the agent type its token usage, budgets and model settings go by'),
    description: description.default(''),
    instructions,
    input_schema: jsonSchemaField("a task's input"),
    output_schema: jsonSchemaField("a task's result (what the model must answer)"),
    model: model.optional(),
  })
  .describe('A declarative LLM agent: instructions and the JSON Schemas of its input and output.');

export const updateDeclarativeBody = z
  .strictObject({
    description: description.optional(),
    instructions: instructions.optional(),
    input_schema: jsonSchemaField("a task's input").optional(),
    output_schema: jsonSchemaField("a task's result").optional(),
    model: model.nullable().optional().describe('null removes the model, so the calls follow LLM_MODEL'),
  })
  .describe('The fields to change; the others keep their value.');

/** What a declarative agent's row holds in `config`. */
export interface DeclarativeConfig {
  readonly instructions: string;
  readonly input_schema: Record<string, unknown>;
  readonly output_schema: Record<string, unknown>;
  readonly model: string | null;
}

const storedConfig = z.object({
  instructions: z.string().min(1),
  input_schema: z.record(z.string(), z.unknown()),
  output_schema: z.record(z.string(), z.unknown()),
  model: z.string().nullish(),
});

/** Reads a row's config; undefined when it is not a valid declarative configuration (edited by hand). */
export function readDeclarativeConfig(config: Record<string, unknown>): DeclarativeConfig | undefined {
  const parsed = storedConfig.safeParse(config);
  if (!parsed.success) return undefined;
  if (checkJsonSchema(parsed.data.input_schema).length || checkJsonSchema(parsed.data.output_schema).length) {
    return undefined;
  }
  return { ...parsed.data, model: parsed.data.model ?? null };
}

/** zod schemas of a configuration's input and output (cheap to build: made per use). */
export function declarativeSchemas(config: DeclarativeConfig): { input: z.ZodType; output: z.ZodType } {
  return { input: jsonSchemaToZod(config.input_schema), output: jsonSchemaToZod(config.output_schema) };
}
