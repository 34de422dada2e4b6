import { z } from 'zod';
import { runStage } from '../../projects/run-stage.js';
import { STAGE_NAMES, STAGES, stageAgentType } from '../../projects/stages.js';
import { defineAgent, type AnyAgentDefinition } from '../../tasks/agent-definition.js';

const stageInput = (stage: (typeof STAGE_NAMES)[number]) =>
  z.strictObject({
    project_id: z.uuid().describe('the project whose run this stage belongs to'),
    run: z.number().int().min(1).describe('the run of the project: a task of an earlier run does nothing'),
    stage: z.literal(stage),
  });

/**
 * The eleven pipeline agents, one per stage of a project's generation (src/projects/stages.ts). They run on
 * demand: starting a project queues the first, and each stage queues the next when it succeeds.
 */
export const PIPELINE_AGENTS: readonly AnyAgentDefinition[] = STAGES.map((stage) =>
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
    run: runStage,
  }),
);
