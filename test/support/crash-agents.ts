import { createInlineCompute } from '../../src/compute/compute-pool.js';
import { z } from 'zod';
import { defineAgent, type AnyAgentDefinition } from '../../src/tasks/agent-definition.js';
import { createAgentRegistry } from '../../src/tasks/agent-registry.js';
import { buildChanges, contentHash } from '../../src/analysis/changes.js';
import { createProposal, type RepositoryReader } from '../../src/inbox/create-proposal.js';
import { ProposalRefusedError } from '../../src/proposals/proposal-refused-error.js';
import { untilAborted } from './test-agents.js';

/** What a crash agent's handler reports, as one JSON line of the worker's stdout. */
export interface EffectReport {
  readonly event: 'effect';
  readonly task: string;
  readonly agent: string;
  readonly attempt: number;
  readonly proposal: string;
  /** false when an earlier attempt had already made the proposal (the idempotency key held) */
  readonly created: boolean;
}

/** Proposals without a repository never read one. */
const noRepository: RepositoryReader = {
  resolveHead: () => Promise.reject(new Error('no repository')),
  readFileAtRef: () => Promise.reject(new Error('no repository')),
  occupantOfPath: () => Promise.reject(new Error('no repository')),
};

/** The one-file change a task with this label proposes: the same label always gives the same content. */
export const crashChange = (label: string) => [
  { file_path: `crash/${label}.txt`, code_before: 'before\n', code_after: `after ${label}\n` },
];

/** The content hash of that change: the idempotency key of the task's side effect. */
export const crashContentHash = (label: string) => contentHash(null, buildChanges(crashChange(label)).changes);

/**
 * Agents for the crash-safety test. The handler's side effect is a proposal whose content is derived from
 * the input, so its content hash is an idempotency key: a second attempt finds the first attempt's
 * proposal (refused as a duplicate) instead of making another. On its first attempt the handler then
 * waits until aborted, so that the process can be killed while the task runs; later attempts finish.
 *
 * `crash-retry` gets a second attempt after a crash; `crash-final` has none, so a crash fails it.
 */
export function crashAgents(report: (line: EffectReport) => void = () => undefined): AnyAgentDefinition[] {
  const agent = (type: string, maxAttempts: number) =>
    defineAgent({
      type,
      description: 'proposes a fixed change, then hangs on its first attempt (crash-safety tests only)',
      inputSchema: z.object({ label: z.string().min(1).max(40) }).strict(),
      defaultIntervalSeconds: () => 3600,
      concurrency: 4,
      timeoutSeconds: 120,
      maxAttempts,
      async run(context) {
        let proposal: string;
        let created: boolean;
        try {
          const made = await createProposal(
            context.database.orm,
            noRepository,
            {
              aiType: type,
              description: `crash-safety ${context.input.label}`,
              files: crashChange(context.input.label),
              createdBy: `task:${context.task.id}`,
            },
            new Date(),
            createInlineCompute(),
          );
          proposal = made.proposal.id;
          created = true;
        } catch (error) {
          if (!(error instanceof ProposalRefusedError) || error.code !== 'duplicate') throw error;
          proposal = String(error.extensions.existing_id);
          created = false;
        }
        report({
          event: 'effect',
          task: context.task.id,
          agent: type,
          attempt: context.task.attempt,
          proposal,
          created,
        });
        if (context.task.attempt === 1) {
          await untilAborted(context.signal);
          context.signal.throwIfAborted();
        }
        return { proposal_id: proposal, created };
      },
    });
  return [agent('crash-retry', 2), agent('crash-final', 1)];
}

export const crashRegistry = (report?: (line: EffectReport) => void) => createAgentRegistry(crashAgents(report));
