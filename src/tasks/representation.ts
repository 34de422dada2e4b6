import { z } from 'zod';
import type { TaskRow } from './task-store.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** A task as the API and events show it; the lease owner stays internal. */
export function taskRepresentation(task: TaskRow) {
  return {
    id: task.id,
    agent_id: task.agentId,
    agent_type: task.agentType,
    status: task.status,
    trigger: task.trigger,
    input: task.input,
    result: task.result,
    error: task.errorCode ? { code: task.errorCode, message: task.errorMessage ?? '' } : null,
    progress: task.progress,
    attempts: task.attempts,
    max_attempts: task.maxAttempts,
    timeout_seconds: task.timeoutSeconds,
    priority: task.priority,
    dead_letter: task.deadLetter,
    retry_of: task.retryOf,
    cancel_requested: task.cancelRequestedAt !== null,
    log_lines: task.logLines,
    logs_dropped: task.logsDropped,
    created_by: task.createdBy,
    created_at: task.createdAt.toISOString(),
    run_at: task.runAt.toISOString(),
    started_at: iso(task.startedAt),
    finished_at: iso(task.finishedAt),
    updated_at: task.updatedAt.toISOString(),
    duration_ms: task.startedAt && task.finishedAt ? task.finishedAt.getTime() - task.startedAt.getTime() : null,
  };
}

export const taskSchema = z.object({
  id: z.uuid(),
  agent_id: z.uuid(),
  agent_type: z.string(),
  status: z.enum(['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled']),
  trigger: z.enum(['manual', 'schedule', 'event', 'retry']),
  input: z.record(z.string(), z.unknown()),
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  progress: z.number().int(),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  timeout_seconds: z.number().int(),
  priority: z.number().int(),
  dead_letter: z.boolean().describe('failed for good (attempts exhausted or not retryable) and not retried since'),
  retry_of: z.uuid().nullable(),
  cancel_requested: z.boolean(),
  log_lines: z.number().int().describe('log lines kept, all attempts together'),
  logs_dropped: z
    .number()
    .int()
    .describe('lines not kept because an attempt reached its log limit (1,000 per attempt), all attempts together'),
  created_by: z.string().nullable(),
  created_at: z.string(),
  run_at: z.string().describe('earliest start (later than created_at while waiting out a retry backoff)'),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  updated_at: z.string(),
  duration_ms: z.number().int().nullable(),
});
