import type { Orm } from '../db/database.js';
import type { TaskQueue } from '../tasks/task-queue.js';
import { updateStage } from './project-store.js';
import { stageAgentType, type StageName } from './stages.js';

export interface StageTaskInput extends Record<string, unknown> {
  readonly project_id: string;
  readonly run: number;
  readonly stage: StageName;
}

/**
 * Queues the task of one stage of one run, inside the caller's transaction. The idempotency key makes a
 * stage of a run one task however often this runs (a stage's handler retried after it queued the next).
 */
export async function enqueueStage(
  orm: Orm,
  tasks: Pick<TaskQueue, 'submitWithin'>,
  input: StageTaskInput,
  createdBy: string | undefined,
) {
  const submitted = await tasks.submitWithin(orm, {
    agentType: stageAgentType(input.stage),
    input,
    trigger: 'event',
    createdBy,
    idempotencyKey: `project:${input.project_id}:run:${input.run}:${input.stage}`,
  });
  await updateStage(orm, input.project_id, input.stage, {
    status: 'queued',
    run: input.run,
    taskId: submitted.task.id,
  });
  return submitted;
}
