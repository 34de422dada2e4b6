import { z } from 'zod';
import { agentSettingsKey, type Config } from '../../config/config.js';
import type { Database } from '../../db/database.js';
import {
  BudgetExhaustedError,
  CircuitOpenError,
  LlmInvalidOutputError,
  LlmNotConfiguredError,
  LlmProviderError,
} from '../../llm/language-model-errors.js';
import { createLanguageModelService, type LanguageModelService } from '../../llm/language-model-service.js';
import { TaskFailure, TaskInputError } from '../../tasks/task-errors.js';
import { findAgent } from '../../tasks/task-store.js';
import { defineAgent } from '../../tasks/agent-definition.js';
import { DECLARATIVE_TYPE, declarativeSchemas, readDeclarativeConfig } from './config.js';

/**
 * Language model services of this process, per configuration object and model setting. The task context
 * carries no service, so the handler makes its own from the same configuration and database as the
 * app's: budgets, the response cache and token usage live in the database and are shared; circuit
 * breakers are per service.
 */
const services = new WeakMap<Config, Map<string, LanguageModelService>>();

function languageModel(database: Database, config: Config, agentName: string, model: string | null) {
  const key = agentSettingsKey(agentName);
  // LLM_MODEL_<NAME> wins over the model stored with the agent, which wins over LLM_MODEL.
  const override = model !== null && config.llm.agentModels[key] === undefined ? model : undefined;
  const cacheKey = override === undefined ? '' : `${key}=${override}`;
  let byModel = services.get(config);
  if (!byModel) {
    byModel = new Map();
    services.set(config, byModel);
  }
  let service = byModel.get(cacheKey);
  if (!service) {
    const llm =
      override === undefined
        ? config.llm
        : { ...config.llm, agentModels: { ...config.llm.agentModels, [key]: override } };
    service = createLanguageModelService({ database, config: { llm } });
    byModel.set(cacheKey, service);
  }
  return service;
}

/** The LLM layer's errors as task failures: whether the queue tries again follows what the error says. */
function asTaskFailure(error: unknown): unknown {
  if (error instanceof LlmNotConfiguredError) return new TaskFailure(error.code, error.message, false);
  if (error instanceof BudgetExhaustedError) return new TaskFailure(error.code, error.message, false);
  if (error instanceof LlmInvalidOutputError) {
    return new TaskFailure(error.code, `${error.message} ${error.issues}`.trim(), false);
  }
  if (error instanceof LlmProviderError) return new TaskFailure(error.code, error.message, error.details.retryable);
  if (error instanceof CircuitOpenError) return new TaskFailure(error.code, error.message, true);
  return error;
}

/**
 * The handler of every declarative agent: one registered definition (a template, so no agent row or
 * schedule of its own); each declarative agent is a row of type `declarative` whose `config` holds its
 * instructions and schemas (src/agents/declarative/config.ts). A task loads its agent's row, validates its
 * input against `input_schema`, and asks the language model for an object matching `output_schema`, which
 * is the task's result. Calls are accounted under the agent's name, so token usage, budgets and model
 * settings (LLM_MODEL_<NAME>) are per declarative agent.
 */
export const declarativeAgent = defineAgent({
  type: DECLARATIVE_TYPE,
  description: 'Declarative LLM agents: instructions and JSON Schemas of input and output, created through the API',
  // Any object here; each agent's own input schema is checked at submission (agentInput) and again below.
  inputSchema: z.record(z.string(), z.unknown()),
  // A template is never scheduled (the registry's list() leaves it out).
  defaultIntervalSeconds: () => 0,
  concurrency: 4,
  timeoutSeconds: 300,
  maxAttempts: 3,
  template: true,
  agentInput: (stored) => {
    const config = readDeclarativeConfig(stored);
    return config ? { schema: declarativeSchemas(config).input, jsonSchema: config.input_schema } : undefined;
  },
  async run(context) {
    const row = await findAgent(context.database.orm, context.task.agentId);
    if (!row || row.type !== DECLARATIVE_TYPE) {
      throw new TaskFailure(
        'agent_not_declarative',
        `Agent ${context.task.agentId} is not a declarative agent.`,
        false,
      );
    }
    const config = readDeclarativeConfig(row.config);
    if (!config) {
      throw new TaskFailure(
        'invalid_agent_config',
        `The stored configuration of agent ${row.name} is not valid.`,
        false,
      );
    }
    const schemas = declarativeSchemas(config);
    const input = schemas.input.safeParse(context.input);
    if (!input.success) throw new TaskInputError(z.prettifyError(input.error));
    const service = languageModel(context.database, context.config, row.name, config.model);
    if (!service.isConfigured()) throw asTaskFailure(new LlmNotConfiguredError());
    let result;
    try {
      result = await service.generateObject({
        agentType: row.name,
        taskId: context.task.id,
        purpose: 'declarative.run',
        system: config.instructions,
        prompt: [
          'Answer with JSON matching the given schema, using this input:',
          '```json',
          JSON.stringify(input.data, null, 2),
          '```',
        ].join('\n'),
        schema: schemas.output,
        schemaName: row.name.replaceAll('-', '_'),
        signal: context.signal,
      });
    } catch (error) {
      throw asTaskFailure(error);
    }
    await context.log(
      'info',
      `${result.provider} (${result.model}) answered: ${result.inputTokens} input and ${result.outputTokens} ` +
        `output tokens${result.cached ? ', from the cache' : ''}${result.repaired ? ', after a repair' : ''}`,
    );
    return result.object as Record<string, unknown>;
  },
});
