import type { z } from 'zod';
import type { Compute } from '../compute/compute.js';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import type { TaskQueue } from './task-queue.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What a running task's handler gets: its input, an abort signal, and ways to report progress. */
export interface TaskContext<Input> {
  readonly task: {
    readonly id: string;
    readonly agentId: string;
    readonly attempt: number;
    readonly trigger: string;
  };
  readonly input: Input;
  /** aborted on timeout, cancellation or shutdown; handlers pass it to whatever they wait on */
  readonly signal: AbortSignal;
  readonly database: Database;
  readonly config: Config;
  readonly events: EventBus;
  /**
   * The process's compute pool, bound to this task's signal: CPU-heavy work (analysis, optimisation,
   * diffs, the security gate) runs there, not on the event loop.
   */
  readonly compute: Compute;
  /** enqueues follow-up tasks (a pipeline's next stage) inside the handler's own transactions */
  readonly tasks: Pick<TaskQueue, 'submitWithin' | 'announce'>;
  /** 0–100; stored and published */
  progress(percent: number): Promise<void>;
  /** appended to the task's bounded log and published */
  log(level: LogLevel, message: string): Promise<void>;
}

/**
 * Everything lvlup needs to know to run an agent. Registering a definition is the only step needed for a
 * new agent type: its row, schedule, routes and metrics all follow from the registry.
 */
export interface AgentDefinition<Input extends Record<string, unknown> = Record<string, unknown>> {
  readonly type: string;
  readonly description: string;
  /** validates a task's input before the handler sees it; also documented in the API */
  readonly inputSchema: z.ZodType<Input>;
  /** the schedule it starts with: an interval read from the configuration, in seconds */
  readonly defaultIntervalSeconds: (config: Config) => number;
  /** how many of its tasks may run at once, across all processes */
  readonly concurrency: number;
  readonly timeoutSeconds: number;
  readonly maxAttempts: number;
  /**
   * A template has no agent row or schedule of its own: its agents are rows of its type created through
   * the API (declarative agents, src/agents/declarative/), each with its own `config`. The registry's
   * `list()` leaves templates out, so agent rows, schedules and status lists skip them.
   */
  readonly template?: boolean | undefined;
  /**
   * An on-demand agent runs only when another part of lvlup queues its tasks (a pipeline stage queues the
   * next): it has a row, but no schedule, so the scheduler never runs it with an empty input.
   */
  readonly onDemand?: boolean | undefined;
  /**
   * A template's per-agent input: the schema of the tasks of the agent whose row `config` is given, checked
   * when a task is submitted to that agent, and its JSON Schema shown as the agent's `input_schema`.
   */
  readonly agentInput?:
    | ((config: Record<string, unknown>) => { schema: z.ZodType; jsonSchema: Record<string, unknown> } | undefined)
    | undefined;
  run(context: TaskContext<Input>): Promise<Record<string, unknown>>;
}

/** Lets definitions with different input types share one list. */
export type AnyAgentDefinition = AgentDefinition<Record<string, unknown>>;

export function defineAgent<Input extends Record<string, unknown>>(
  definition: AgentDefinition<Input>,
): AnyAgentDefinition {
  return definition;
}
