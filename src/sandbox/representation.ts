import { z } from 'zod';
import type { SandboxExperiment } from './experiment-store.js';
import type { SandboxRun } from './run-store.js';

/** The API's views of sandbox experiments and stored check runs (`/sandbox`). */

const summarySchema = z
  .object({ min: z.number(), median: z.number(), max: z.number(), mean: z.number() })
  .describe('milliseconds');

export const experimentSchema = z
  .object({
    id: z.uuid(),
    repository_id: z.uuid(),
    proposal_id: z.uuid().nullable(),
    command: z.string(),
    runs: z.number().int(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    commit: z.string().nullable().describe('the base commit both variants start from'),
    isolation: z.enum(['bwrap', 'none']).nullable(),
    base_timings_ms: z.array(z.number()),
    proposal_timings_ms: z.array(z.number()),
    base: summarySchema.nullable(),
    proposal: summarySchema.nullable(),
    ratio: z.number().nullable().describe('proposal median ÷ base median: below 1 is faster'),
    error: z.string().nullable(),
    task_id: z.uuid().nullable(),
    created_by: z.string().nullable(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: 'SandboxExperiment' });

export function presentExperiment(row: SandboxExperiment): z.infer<typeof experimentSchema> {
  return {
    id: row.id,
    repository_id: row.repositoryId,
    proposal_id: row.proposalId,
    command: row.command,
    runs: row.runs,
    status: row.status,
    commit: row.commit,
    isolation: row.isolation,
    base_timings_ms: row.baseTimingsMs,
    proposal_timings_ms: row.proposalTimingsMs,
    base: row.baseSummary,
    proposal: row.proposalSummary,
    ratio: row.ratio,
    error: row.error,
    task_id: row.taskId,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    started_at: row.startedAt?.toISOString() ?? null,
    finished_at: row.finishedAt?.toISOString() ?? null,
  };
}

const commandResultSchema = z.object({
  command: z.string(),
  exit_code: z.number().int().nullable(),
  signal: z.string().nullable(),
  duration_ms: z.number(),
  limit: z.enum(['time', 'output', 'memory', 'processes']).nullable().describe('the limit that stopped it'),
  output_head: z.string(),
  output_tail: z.string(),
  output_bytes: z.number().int(),
  truncated: z.boolean().describe('true when output between head and tail was dropped'),
}) satisfies z.ZodType<SandboxRun['results'][number]>;

export const runSchema = z
  .object({
    id: z.uuid(),
    repository_id: z.uuid(),
    proposal_id: z.uuid().nullable(),
    kind: z.enum(['proposal', 'baseline']),
    commit: z.string(),
    commands: z.array(z.string()),
    status: z.enum(['passed', 'failed', 'error']),
    isolation: z.enum(['bwrap', 'none']),
    results: z.array(commandResultSchema),
    task_id: z.uuid().nullable(),
    duration_ms: z.number().int(),
    overhead_ms: z.number().int().nullable().describe('everything but the commands: worktree, clean-up'),
    started_at: z.string(),
    finished_at: z.string(),
  })
  .meta({ id: 'SandboxRun' });

export function presentRun(row: SandboxRun): z.infer<typeof runSchema> {
  return {
    id: row.id,
    repository_id: row.repositoryId,
    proposal_id: row.proposalId,
    kind: row.kind,
    commit: row.commit,
    commands: row.commands,
    status: row.status,
    isolation: row.isolation,
    results: row.results,
    task_id: row.taskId,
    duration_ms: row.durationMs,
    overhead_ms: row.overheadMs,
    started_at: row.startedAt.toISOString(),
    finished_at: row.finishedAt.toISOString(),
  };
}
