import { z } from 'zod';
import type { Config } from '../../config/config.js';
import { createLanguageModelService, type LanguageModelService } from '../../llm/language-model-service.js';
import { runStage, type StageSettings } from '../../projects/run-stage.js';
import { STAGE_NAMES, STAGES, stageAgentType } from '../../projects/stages.js';
import { defineAgent, type AnyAgentDefinition } from '../../tasks/agent-definition.js';

const stageInput = (stage: (typeof STAGE_NAMES)[number]) =>
  z.strictObject({
    project_id: z.uuid().describe('the project whose run this stage belongs to'),
    run: z.number().int().min(1).describe('the run of the project: a task of an earlier run does nothing'),
    stage: z.literal(stage),
  });

/**
 * The language model service of this process, one per configuration. The task context carries no service,
 * so the stages make one from the same configuration and database as the app's: budgets, the response
 * cache and token usage live in the database and are shared; circuit breakers are per service.
 */
const services = new WeakMap<Config, LanguageModelService>();

export const DEFAULT_STAGE_SETTINGS: StageSettings = {
  languageModel: ({ database, config }) => {
    let service = services.get(config);
    if (!service) {
      service = createLanguageModelService({ database, config });
      services.set(config, service);
    }
    return service;
  },
  now: () => new Date(),
};

/**
 * The eleven pipeline agents, one per stage of a project's generation (src/projects/stages.ts). They run on
 * demand: starting a project queues the first, and each stage queues the next when it succeeds. Tests pass
 * their own settings (a clock they move).
 */
export const pipelineAgents = (settings: StageSettings = DEFAULT_STAGE_SETTINGS): AnyAgentDefinition[] =>
  STAGES.map((stage) =>
    defineAgent({
      type: stageAgentType(stage.name),
      description:
        stage.name === 'recovery'
          ? 'Pipeline stage 11, recovery: meant to repair a failed stage; its fixers are not built yet, so a failed run stops at the failed stage.'
          : `Pipeline stage ${STAGE_NAMES.indexOf(stage.name) + 1}, ${stage.title.toLowerCase()}, of a project's generation.`,
      inputSchema: stageInput(stage.name),
      defaultIntervalSeconds: () => 3600,
      onDemand: true,
      concurrency: 2,
      timeoutSeconds: stage.timeoutSeconds,
      // A stage's failures are its verdict (the run stops there, to be retried by a person); the second
      // attempt is for a process that died mid-stage, whose lease expired.
      maxAttempts: 2,
      run: (context) => runStage(context, settings),
    }),
  );

export const PIPELINE_AGENTS: readonly AnyAgentDefinition[] = pipelineAgents();
