import { z } from 'zod';
import { defineAgent, type AnyAgentDefinition } from '../../src/tasks/agent-definition.js';
import { createAgentRegistry } from '../../src/tasks/agent-registry.js';
import { BUILT_IN_AGENTS } from '../../src/agents/built-in.js';
import { TaskFailure } from '../../src/tasks/task-errors.js';

/** Resolves once `signal` aborts: what an agent that works until it is stopped waits for. */
export const untilAborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

/** Resolves when `signal` aborts or after `milliseconds`: the work a scripted agent is told to take that long. */
const work = (milliseconds: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Agents whose behaviour a test chooses through the task input: how long to work, how many attempts
 * fail first, whether to honour the abort signal, how many log lines to write.
 */
export const scriptedAgent = (overrides: Partial<AnyAgentDefinition> = {}): AnyAgentDefinition => ({
  ...defineAgent({
    type: 'scripted',
    description: 'does what its input says (tests only)',
    inputSchema: z
      .object({
        work_ms: z.number().int().min(0).default(0),
        fail_attempts: z.number().int().min(0).default(0),
        fail_code: z.string().default('flaky'),
        retryable: z.boolean().default(true),
        ignore_abort: z.boolean().default(false),
        log_lines: z.number().int().min(0).default(0),
        label: z.string().optional(),
      })
      .strict(),
    defaultIntervalSeconds: () => 3600,
    concurrency: 4,
    timeoutSeconds: 30,
    maxAttempts: 3,
    async run(context) {
      const { input } = context;
      for (let line = 0; line < input.log_lines; line += 1) {
        if (!input.ignore_abort) context.signal.throwIfAborted();
        await context.log('info', `line ${line}`);
      }
      if (context.task.attempt <= input.fail_attempts) {
        throw new TaskFailure(input.fail_code, `failing attempt ${context.task.attempt}`, input.retryable);
      }
      await context.progress(50);
      await work(input.work_ms, input.ignore_abort ? undefined : context.signal);
      context.signal.throwIfAborted();
      return { attempt: context.task.attempt, label: input.label ?? null };
    },
  }),
  ...overrides,
});

export const testRegistry = (...extra: AnyAgentDefinition[]) =>
  createAgentRegistry([...BUILT_IN_AGENTS, scriptedAgent(), ...extra]);
