import { z } from 'zod';
import type { Orm } from '../../db/database.js';
import {
  BudgetExhaustedError,
  CircuitOpenError,
  LlmInvalidOutputError,
  LlmNotConfiguredError,
  LlmProviderError,
} from '../../llm/language-model-errors.js';
import type { ChatMessage, LanguageModelService } from '../../llm/language-model-service.js';
import { runTokensUsed } from '../project-usage-queries.js';
import { StageFailedError } from '../stage-work/stage-work.js';

/** What one stage of one run needs to ask the model: the service, the run's budgets and its accounting. */
export interface ModelRun {
  readonly llm: LanguageModelService;
  readonly orm: Orm;
  readonly now: () => Date;
  readonly projectId: string;
  readonly run: number;
  /** when the run started: the wall-clock budget counts from here */
  readonly startedAt: Date;
  readonly budgets: { readonly tokens: number; readonly seconds: number };
  /** answers asked for before the stage gives up: the first and its repairs */
  readonly attempts: number;
  /** the stage's agent (`pipeline-requirements`): its calls are accounted, budgeted and modelled under it */
  readonly agentType: string;
  readonly taskId: string;
  readonly signal: AbortSignal;
  readonly log: (message: string) => Promise<void>;
}

export interface ModelQuestion<Schema extends z.ZodType> {
  /** recorded with each call's usage (`requirements`, `architecture`) */
  readonly purpose: string;
  readonly system: string;
  readonly prompt: string;
  readonly schema: Schema;
  readonly schemaName: string;
  /** what is wrong with a schema-valid answer beyond its schema; none when it may be kept */
  readonly check: (value: z.output<Schema>) => string[] | Promise<string[]>;
  /** output tokens one answer may take at most (less when the budget has less left) */
  readonly maxOutputTokens: number;
}

/** The time the run has left, checked before each call: a run past its wall-clock budget stops here. */
export function checkTimeBudget(run: Pick<ModelRun, 'now' | 'startedAt' | 'budgets'>): number {
  const elapsedMs = run.now().getTime() - run.startedAt.getTime();
  const remainingMs = run.budgets.seconds * 1000 - elapsedMs;
  if (remainingMs <= 0) {
    throw new StageFailedError(
      'time_budget_exceeded',
      `The run has taken ${Math.round(elapsedMs / 1000)} s, past its wall-clock budget of ${run.budgets.seconds} s ` +
        '(the project’s `time_budget_seconds`, or PROJECT_TIME_BUDGET_SECONDS); it stopped here.',
    );
  }
  return remainingMs;
}

/** The language model layer's refusals and failures as the stage's named failure. */
function stageFailureOf(error: unknown): unknown {
  if (error instanceof LlmNotConfiguredError) {
    return new StageFailedError(
      error.code,
      `The project runs on the model engine, but no language model can be used: ${error.message}`,
    );
  }
  if (error instanceof BudgetExhaustedError || error instanceof LlmProviderError || error instanceof CircuitOpenError) {
    return new StageFailedError(error.code, error.message);
  }
  return error;
}

/**
 * Asks the model for a JSON answer of `schema` and keeps it only once it passes the schema and `check`.
 * A rejected answer is sent back with what was wrong with it, up to `attempts` answers in all (each call
 * also gets the language model layer's one schema repair). Before each call the run's budgets are read:
 * the tokens its stages' calls have recorded (plus an estimate of this call's input) must stay under the
 * token budget, and the run must be within its wall-clock budget, which also bounds the call itself. A
 * run over either stops with `token_budget_exceeded` or `time_budget_exceeded`; after the last rejected
 * answer the stage fails with `model_output_rejected`. Never a loop.
 */
export async function askModel<Schema extends z.ZodType>(
  run: ModelRun,
  question: ModelQuestion<Schema>,
): Promise<{ value: z.output<Schema>; attempts: number }> {
  const messages: ChatMessage[] = [{ role: 'user', content: question.prompt }];
  const schemaCharacters = JSON.stringify(
    z.toJSONSchema(question.schema, { unrepresentable: 'any', io: 'input' }),
  ).length;
  let problems: string[] = [];
  for (let attempt = 1; attempt <= run.attempts; attempt += 1) {
    const remainingMs = checkTimeBudget(run);
    const used = await runTokensUsed(run.orm, run.projectId, run.run);
    const inputEstimate = Math.ceil((question.system.length + JSON.stringify(messages).length + schemaCharacters) / 4);
    const left = run.budgets.tokens - used - inputEstimate;
    if (left <= 0) {
      throw new StageFailedError(
        'token_budget_exceeded',
        `The run has spent ${used} of its ${run.budgets.tokens} tokens (the project’s \`token_budget\`, or ` +
          `PROJECT_TOKEN_BUDGET); the next call needs about ${inputEstimate} tokens of input, so it stopped here.`,
      );
    }
    const deadline = AbortSignal.timeout(remainingMs);
    let answer: string;
    let value: z.output<Schema> | undefined;
    try {
      const result = await run.llm.generateObject({
        agentType: run.agentType,
        taskId: run.taskId,
        purpose: attempt === 1 ? question.purpose : `${question.purpose} (attempt ${attempt})`,
        system: question.system,
        messages,
        schema: question.schema,
        schemaName: question.schemaName,
        maxOutputTokens: Math.min(question.maxOutputTokens, left),
        temperature: 0,
        signal: AbortSignal.any([run.signal, deadline]),
      });
      answer = result.text;
      value = result.object;
      problems = await question.check(result.object);
    } catch (error) {
      if (run.signal.aborted) throw error;
      if (deadline.aborted) {
        throw new StageFailedError(
          'time_budget_exceeded',
          `The run reached its wall-clock budget of ${run.budgets.seconds} s while waiting for the model; it stopped here.`,
        );
      }
      if (!(error instanceof LlmInvalidOutputError)) throw stageFailureOf(error);
      answer = error.text ?? '';
      problems = [`the answer does not match the JSON schema: ${error.issues}`];
    }
    if (problems.length === 0 && value !== undefined) {
      if (attempt > 1) await run.log(`attempt ${attempt}: the answer passed its checks`);
      return { value, attempts: attempt };
    }
    await run.log(`attempt ${attempt} of ${run.attempts}: the answer was rejected: ${problems.join('; ')}`);
    messages.push(
      { role: 'assistant', content: answer },
      {
        role: 'user',
        content:
          `Your answer was checked and rejected:\n${problems.map((problem) => `- ${problem}`).join('\n')}\n` +
          'Answer again with the whole corrected JSON object, nothing else.',
      },
    );
  }
  throw new StageFailedError(
    'model_output_rejected',
    `The model's answer for ${question.purpose} was rejected ${run.attempts} times; the last problems: ${problems.join('; ')}`,
  );
}
