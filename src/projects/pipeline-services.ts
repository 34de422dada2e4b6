import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import type { TaskQueue } from '../tasks/task-queue.js';

/** What starting, stopping and running a project's pipeline needs. */
export interface PipelineServices {
  readonly database: Database;
  readonly dataDirectory: string;
  readonly tasks: Pick<TaskQueue, 'submitWithin' | 'announce' | 'announceCancel'>;
  readonly events: EventBus;
  readonly now: () => Date;
}
