import { z } from 'zod';
import type { ArtifactSummary } from './artifact-store.js';
import { ENGINES } from './project-engine.js';
import type { Project, ProjectStage } from './project-store.js';
import { NO_USAGE, type ProjectTokenUsage } from './project-usage-queries.js';
import { STAGE_NAMES, TARGETS } from './stages.js';

const instant = z.string().describe('ISO 8601');

const usageSchema = z.object({
  calls: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  total_tokens: z.number().int(),
  cost_usd: z.number(),
});

const presentUsage = (usage: ProjectTokenUsage): z.infer<typeof usageSchema> => ({
  calls: usage.calls,
  input_tokens: usage.inputTokens,
  output_tokens: usage.outputTokens,
  total_tokens: usage.inputTokens + usage.outputTokens,
  cost_usd: usage.costUsd,
});

export const projectSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    spec: z.record(z.string(), z.unknown()).nullable(),
    openapi: z.record(z.string(), z.unknown()).nullable(),
    template: z.string().nullable(),
    targets: z.array(z.enum(TARGETS)),
    engine: z
      .enum(ENGINES)
      .nullable()
      .describe('the engine asked for; null: model for a description alone when an LLM is configured, else offline'),
    token_budget: z
      .number()
      .int()
      .nullable()
      .describe('tokens a run of the model engine may spend; null: PROJECT_TOKEN_BUDGET'),
    time_budget_seconds: z
      .number()
      .int()
      .nullable()
      .describe('seconds a run of the model engine may take; null: PROJECT_TIME_BUDGET_SECONDS'),
    token_usage: z
      .object({ run: usageSchema.describe('the current (or last) run'), all_runs: usageSchema })
      .describe("the language model calls of the project's stages (agents pipeline-<stage>), from token_usage"),
    status: z.enum(['draft', 'running', 'succeeded', 'failed', 'cancelled']),
    run: z.number().int().describe('how many runs have started'),
    current_stage: z.enum(STAGE_NAMES).nullable(),
    failure: z
      .object({ code: z.string(), message: z.string(), stage: z.string().optional() })
      .nullable()
      .describe('why the last run failed, and at which stage'),
    repository_id: z.uuid().nullable().describe('the repository holding the generated app, from the first start'),
    owner_id: z.string(),
    created_at: instant,
    updated_at: instant,
    started_at: instant.nullable(),
    finished_at: instant.nullable(),
  })
  .meta({ id: 'Project' });

export function presentProject(
  project: Project,
  usageByRun: ReadonlyMap<number, ProjectTokenUsage> = new Map(),
): z.infer<typeof projectSchema> {
  const allRuns = [...usageByRun.values()].reduce(
    (total, usage) => ({
      calls: total.calls + usage.calls,
      inputTokens: total.inputTokens + usage.inputTokens,
      outputTokens: total.outputTokens + usage.outputTokens,
      costUsd: total.costUsd + usage.costUsd,
    }),
    NO_USAGE,
  );
  return {
    id: project.id,
    name: project.name,
    description: project.description,
    spec: project.spec,
    openapi: project.openapi,
    template: project.template,
    targets: project.targets as z.infer<typeof projectSchema>['targets'],
    engine: project.engine,
    token_budget: project.tokenBudget,
    time_budget_seconds: project.timeBudgetSeconds,
    token_usage: { run: presentUsage(usageByRun.get(project.run) ?? NO_USAGE), all_runs: presentUsage(allRuns) },
    status: project.status,
    run: project.run,
    current_stage: project.currentStage as z.infer<typeof projectSchema>['current_stage'],
    failure: project.failure,
    repository_id: project.repositoryId,
    owner_id: project.ownerId,
    created_at: project.createdAt.toISOString(),
    updated_at: project.updatedAt.toISOString(),
    started_at: project.startedAt?.toISOString() ?? null,
    finished_at: project.finishedAt?.toISOString() ?? null,
  };
}

export const stageSchema = z
  .object({
    stage: z.enum(STAGE_NAMES),
    position: z.number().int().describe('1 to 11'),
    status: z.enum(['pending', 'queued', 'running', 'succeeded', 'failed', 'skipped', 'cancelled']),
    run: z.number().int(),
    task_id: z
      .uuid()
      .nullable()
      .describe('the task of this stage in its run: its logs are GET /api/v1/tasks/{id}/logs'),
    attempts: z.number().int(),
    commit: z.string().nullable().describe('the commit of what the stage wrote'),
    reason: z
      .string()
      .nullable()
      .describe(
        'why it failed, was skipped or cancelled; on a stage that succeeded, which of its steps was skipped and why ' +
          '(no Chromium for the browser smoke test, no Flutter toolchain)',
      ),
    started_at: instant.nullable(),
    finished_at: instant.nullable(),
    duration_ms: z.number().int().nullable(),
  })
  .meta({ id: 'ProjectStage' });

export function presentStage(stage: ProjectStage): z.infer<typeof stageSchema> {
  return {
    stage: stage.stage as z.infer<typeof stageSchema>['stage'],
    position: stage.position + 1,
    status: stage.status,
    run: stage.run,
    task_id: stage.taskId,
    attempts: stage.attempts,
    commit: stage.commit,
    reason: stage.reason,
    started_at: stage.startedAt?.toISOString() ?? null,
    finished_at: stage.finishedAt?.toISOString() ?? null,
    duration_ms: stage.startedAt && stage.finishedAt ? stage.finishedAt.getTime() - stage.startedAt.getTime() : null,
  };
}

export const artifactSchema = z
  .object({
    id: z.uuid(),
    project_id: z.uuid(),
    task_id: z.uuid().nullable(),
    stage: z.string(),
    run: z.number().int(),
    kind: z.string().describe('requirements, architecture, diagram, openapi, sql, …'),
    name: z.string(),
    media_type: z.string(),
    sha256: z.string(),
    size: z.number().int(),
    created_at: instant,
  })
  .meta({ id: 'Artifact' });

export function presentArtifact(artifact: ArtifactSummary): z.infer<typeof artifactSchema> {
  return {
    id: artifact.id,
    project_id: artifact.projectId,
    task_id: artifact.taskId,
    stage: artifact.stage,
    run: artifact.run,
    kind: artifact.kind,
    name: artifact.name,
    media_type: artifact.mediaType,
    sha256: artifact.sha256,
    size: artifact.size,
    created_at: artifact.createdAt.toISOString(),
  };
}
