import type { z } from 'zod';
import type { AgentRegistry } from './agent-registry.js';
import type { Database, Orm } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import { publishTaskEvent } from './task-events.js';
import {
  findAgentByName,
  insertTask,
  requestCancel,
  type AgentRow,
  type TaskRow,
  type TaskTrigger,
} from './task-store.js';

/** The agent type is not registered. */
export class UnknownAgentError extends Error {
  readonly code = 'unknown_agent';
  constructor(readonly agentType: string) {
    super(`No agent of type ${agentType} is registered.`);
    this.name = 'UnknownAgentError';
  }
}

/** The agent exists (it has a row), but no agent of its type is registered in this process, so it cannot run. */
export class AgentNotRegisteredError extends Error {
  readonly code = 'agent_not_registered';
  constructor(readonly agentType: string) {
    super(`The agent exists, but no agent of type ${agentType} is registered in this process, so it cannot run.`);
    this.name = 'AgentNotRegisteredError';
  }
}

/**
 * The input does not match the agent's input schema. `inputField` says where the input sat for whoever
 * submitted it (`body.input`), so that each issue can name its field (`body.input.repository_id`).
 */
export class InvalidTaskInputError extends Error {
  readonly code = 'validation_failed';
  constructor(
    readonly issues: readonly z.core.$ZodIssue[],
    readonly inputField = 'input',
  ) {
    super(issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; '));
    this.name = 'InvalidTaskInputError';
  }
}

export interface Submission {
  readonly agentType: string;
  readonly input?: Record<string, unknown> | undefined;
  readonly trigger: TaskTrigger;
  readonly createdBy?: string | undefined;
  readonly idempotencyKey?: string | undefined;
  readonly retryOf?: string | undefined;
  readonly priority?: number | undefined;
  /** where the input sat for whoever submitted it (`body.input`), named by an InvalidTaskInputError */
  readonly inputField?: string | undefined;
}

type Log = { warn(object: unknown, message: string): void };

/**
 * The producer side of the queue: validates and inserts tasks, and signals workers of this process
 * directly (other processes hear the NOTIFY written with the task).
 */
export function createTaskQueue(options: { database: Database; events: EventBus; registry: AgentRegistry; log: Log }) {
  const { database, events, registry, log } = options;
  const wakeListeners = new Set<() => void>();
  const cancelListeners = new Set<(taskId: string) => void>();

  const prepare = (submission: Submission, agent: AgentRow | undefined) => {
    const definition = registry.get(submission.agentType);
    if (!definition) {
      throw agent ? new AgentNotRegisteredError(submission.agentType) : new UnknownAgentError(submission.agentType);
    }
    const parsed = definition.inputSchema.safeParse(submission.input ?? {});
    if (!parsed.success) throw new InvalidTaskInputError(parsed.error.issues, submission.inputField);
    return { definition, input: parsed.data };
  };

  const insert = async (orm: Orm, submission: Submission, agent: AgentRow | undefined) => {
    const { definition, input } = prepare(submission, agent);
    const target = agent ?? (await findAgentByName(orm, definition.type));
    if (!target) throw new UnknownAgentError(submission.agentType);
    return insertTask(orm, {
      agent: target,
      input,
      trigger: submission.trigger,
      maxAttempts: definition.maxAttempts,
      timeoutSeconds: definition.timeoutSeconds,
      idempotencyKey: submission.idempotencyKey,
      retryOf: submission.retryOf,
      createdBy: submission.createdBy,
      priority: submission.priority,
    });
  };

  const wake = () => {
    for (const listener of wakeListeners) listener();
  };

  return {
    /** Validates the input (throws InvalidTaskInputError) without enqueueing anything. */
    validate: (submission: Submission, agent?: AgentRow) => void prepare(submission, agent),
    /**
     * Enqueues inside the caller's transaction. Call `announce` with the answer once it has committed,
     * so that this process's workers start at once and the `task.queued` event goes out.
     */
    submitWithin: (orm: Orm, submission: Submission, agent?: AgentRow) => insert(orm, submission, agent),
    async announce(result: { task: TaskRow; created: boolean }) {
      if (!result.created) return;
      wake();
      await publishTaskEvent(events, 'task.queued', result.task, log);
    },
    /** Enqueues on its own and announces it. */
    async submit(submission: Submission, agent?: AgentRow) {
      const result = await insert(database.orm, submission, agent);
      await this.announce(result);
      return result;
    },
    async cancel(taskId: string) {
      const row = await requestCancel(database.orm, taskId);
      if (row) await this.announceCancel(row);
      return row;
    },
    /**
     * Once a cancel requested inside the caller's transaction (requestCancel) has committed: this
     * process's workers abort a running task at once (others hear the NOTIFY), and a waiting task that is
     * now cancelled gets its `task.cancelled` event.
     */
    async announceCancel(row: TaskRow) {
      if (row.status === 'running') for (const listener of cancelListeners) listener(row.id);
      if (row.status === 'cancelled') await publishTaskEvent(events, 'task.cancelled', row, log);
    },
    wake,
    onWake(listener: () => void) {
      wakeListeners.add(listener);
      return () => void wakeListeners.delete(listener);
    },
    onCancel(listener: (taskId: string) => void) {
      cancelListeners.add(listener);
      return () => void cancelListeners.delete(listener);
    },
  };
}

export type TaskQueue = ReturnType<typeof createTaskQueue>;
