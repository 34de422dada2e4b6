import { z } from 'zod';
import type { AgentRow } from '../tasks/task-store.js';
import type { AnyAgentDefinition } from '../tasks/agent-definition.js';

export const AGENT_STATUSES = ['idle', 'running', 'paused', 'error'] as const;

const inputSchemas = new WeakMap<AnyAgentDefinition, Record<string, unknown>>();

/** The JSON Schema of what a task of this agent takes as input (computed once per definition). */
function inputJsonSchema(definition: AnyAgentDefinition): Record<string, unknown> {
  let schema = inputSchemas.get(definition);
  if (!schema) {
    schema = z.toJSONSchema(definition.inputSchema, { io: 'input', unrepresentable: 'any' });
    inputSchemas.set(definition, schema);
  }
  return schema;
}

export const agentSchema = z
  .object({
    id: z.uuid(),
    type: z.string(),
    name: z.string(),
    description: z.string(),
    status: z.enum(AGENT_STATUSES),
    last_error: z.string().nullable().describe('message of the last task that failed for good, until one succeeds'),
    config: z.record(z.string(), z.unknown()),
    registered: z
      .boolean()
      .describe('whether this process knows how to run the agent; tasks of an unregistered type are not accepted'),
    concurrency: z.number().int().nullable().describe('tasks of this agent that may run at once, over all processes'),
    timeout_seconds: z.number().int().nullable(),
    max_attempts: z.number().int().nullable(),
    input_schema: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe('JSON Schema of the input its tasks take (POST /agents/{type}/run, POST /api/v1/agents/{id}/tasks)'),
    output_schema: z
      .record(z.string(), z.unknown())
      .nullable()
      .optional()
      .describe("a declarative agent's JSON Schema of its tasks' result; left out for other agents"),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Agent' });

/** A template's agent (a declarative agent) has its own schemas, in its row's config. */
function agentSchemas(agent: AgentRow, definition: AnyAgentDefinition | undefined) {
  if (!definition) return { input_schema: null };
  if (!definition.template) return { input_schema: inputJsonSchema(definition) };
  const output = agent.config.output_schema;
  return {
    input_schema: definition.agentInput?.(agent.config)?.jsonSchema ?? null,
    output_schema: typeof output === 'object' && output !== null ? (output as Record<string, unknown>) : null,
  };
}

export function presentAgent(agent: AgentRow, definition: AnyAgentDefinition | undefined): z.infer<typeof agentSchema> {
  return {
    id: agent.id,
    type: agent.type,
    name: agent.name,
    description: agent.description,
    status: agent.status,
    last_error: agent.lastError,
    config: agent.config,
    registered: definition !== undefined,
    concurrency: definition?.concurrency ?? null,
    timeout_seconds: definition?.timeoutSeconds ?? null,
    max_attempts: definition?.maxAttempts ?? null,
    ...agentSchemas(agent, definition),
    created_at: agent.createdAt.toISOString(),
    updated_at: agent.updatedAt.toISOString(),
  };
}

export const agentStatusSchema = z
  .object({
    id: z.uuid(),
    type: z.string(),
    name: z.string(),
    description: z.string(),
    status: z.enum(AGENT_STATUSES),
    last_error: z.string().nullable(),
    current_task: z
      .object({ id: z.uuid(), progress: z.number().int(), started_at: z.string().nullable() })
      .nullable()
      .describe('the most recently started of its running tasks'),
    last_run: z
      .object({
        id: z.uuid(),
        status: z.enum(['succeeded', 'failed', 'cancelled']),
        finished_at: z.string().nullable(),
      })
      .nullable()
      .describe('its most recently finished task'),
    next_run: z.string().nullable().describe('when its schedule runs it next; null without an enabled schedule'),
    queue_depth: z.number().int().describe('its tasks waiting to run (queued or retrying)'),
    running: z.number().int().describe('its tasks running now, in every process'),
  })
  .meta({ id: 'AgentStatus' });
