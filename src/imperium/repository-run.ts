import { createHash } from 'node:crypto';
import { git } from '../git/git.js';
import { contentHash } from '../analysis/changes.js';
import { createProposal, MAX_FILE_BYTES, type RepositoryReader } from '../inbox/create-proposal.js';
import { ProposalRefusedError } from '../proposals/proposal-refused-error.js';
import { publishProposalEvent } from '../proposals/proposal-events.js';
import { OPEN_STATUSES } from '../proposals/states.js';
import {
  occupantOfPath,
  readBlob,
  readFileAtRef,
  repositoryGitOptions,
  resolveHead,
} from '../repositories/git-repository.js';
import { effectivePolicy } from '../repositories/policy.js';
import { UnsafePathError } from '../repositories/safe-path.js';
import type { Repository } from '../repositories/repository-store.js';
import { createExperiment } from '../sandbox/create-experiment.js';
import { publishTaskEvent } from '../tasks/task-events.js';
import type { TaskContext } from '../tasks/agent-definition.js';
import { languageOfPath } from '../analysis/languages.js';
import { isVendored } from '../guardian/ignore-list.js';
import { targetRepositories, type RepositoryInput } from '../repositories/repository-inventory.js';
import type { EngineChange } from '../analysis/imperium/optimize.js';
import type { ImperiumRule } from '../analysis/imperium/rule.js';
import { IMPERIUM_RULES } from '../analysis/imperium/rules.js';
import { appendToRationale, proposalsWithContentHash } from './proposal-queries.js';

/** Who the proposals are created by. */
export const IMPERIUM_ACTOR = 'agent:imperium';
/** How many suggestions (reported, not proposed) a task result lists; the counts cover all of them. */
const MAX_LISTED_SUGGESTIONS = 200;
/** Runs per variant of the Sandbox experiment that measures a performance claim. */
export const BENCHMARK_RUNS = 5;

const reader: RepositoryReader = { resolveHead, readFileAtRef, occupantOfPath };

interface TreeFile {
  path: string;
  mode: string;
  blob: string;
  size: number;
}

export interface RuleCounts {
  applied: number;
  suggested: number;
  proposals_created: number;
}

export interface ImperiumRepositoryResult {
  repository_id: string;
  name: string;
  head_commit: string | null;
  files_total: number;
  files_in_scope: number;
  files_analysed: number;
  files_skipped: number;
  files_failed: number;
  proposals_created: number;
  /** an identical proposal exists already (open or applied): it was proposed before */
  proposals_already_open: number;
  /** an identical proposal was rejected: not proposed again */
  proposals_previously_rejected: number;
  /** createProposal refused for another reason (e.g. the branch moved on: stale) */
  proposals_refused: number;
  /** Sandbox experiments queued to measure performance proposals (the repository has a benchmark command) */
  experiments_created: number;
}

/** The blobs at a commit (`git ls-tree -r -l`), symbolic links and submodules included as such. */
async function listFiles(repository: Repository, commit: string): Promise<TreeFile[]> {
  const { stdout } = await git(
    ['ls-tree', '-r', '-z', '-l', '--full-tree', '--end-of-options', commit],
    repositoryGitOptions(repository.path, { timeoutMs: 120_000 }),
  );
  const files: TreeFile[] = [];
  for (const record of stdout.split('\0')) {
    const match = /^(\d{6}) (\w+) ([0-9a-f]+) +(-|\d+)\t(.*)$/s.exec(record);
    if (!match || match[2] !== 'blob') continue;
    files.push({ mode: match[1]!, blob: match[3]!, size: Number(match[4]), path: match[5]! });
  }
  return files;
}

function rationaleOf(rule: ImperiumRule, changes: readonly EngineChange[]): string {
  const lines = [...new Set(changes.map((change) => change.line))].sort((a, b) => a - b);
  const explanations = [...new Set(changes.map((change) => change.explanation))];
  return (
    `${explanations.join('\n\n')}\n\n` +
    `Precondition checked: ${rule.precondition}\n\n` +
    `Expected impact: ${rule.impact}. Line${lines.length === 1 ? '' : 's'} ${lines.join(', ')}.`
  );
}

/**
 * Backs a performance claim with a measurement: when the rule's impact is `performance` and the repository
 * has a benchmark command, a Sandbox experiment times that command on the base commit and with the proposal
 * (BENCHMARK_RUNS runs each, alternating); its ratio lands in the proposal's `test_results.experiment` when it
 * finishes. Once per proposal and command (the experiment task's idempotency key), so a retried run or an
 * already-open proposal gets no second one. Without a benchmark command the claim stays a claim.
 */
async function measureClaim(
  context: TaskContext<RepositoryInput>,
  repository: Repository,
  proposalId: string,
  rule: ImperiumRule,
): Promise<boolean> {
  const command = effectivePolicy(repository.policy).benchmark_command;
  if (rule.impact !== 'performance' || !command) return false;
  const commandHash = createHash('sha256').update(command).digest('hex').slice(0, 16);
  const { experiment, task, created } = await createExperiment(context.database.orm, {
    repositoryId: repository.id,
    proposalId,
    command,
    runs: BENCHMARK_RUNS,
    createdBy: IMPERIUM_ACTOR,
    trigger: 'event',
    idempotencyKey: `benchmark:${proposalId}:${commandHash}`,
  });
  if (!created) return false;
  const link =
    `Performance claim measured by Sandbox experiment ${experiment.id}: \`${command}\` timed ${BENCHMARK_RUNS} times ` +
    'on the base commit and with this change; its ratio (change median ÷ base median, below 1 is faster) is ' +
    'attached to test_results.experiment when it finishes.';
  await appendToRationale(context.database.orm, proposalId, link);
  await publishTaskEvent(context.events, 'task.queued', task, {
    warn: (details, message) => void context.log('warn', `${message}: ${JSON.stringify(details)}`),
  });
  await context.log('info', `${rule.id}: experiment ${experiment.id} measures proposal ${proposalId}`);
  return true;
}

/**
 * Runs the engine over one repository at the tip of its default branch and proposes one change per rule
 * per file (a reviewer accepts or rejects each kind of change on its own, and what is learned from verdicts
 * is per rule). Suggest-only findings are counted and listed, never proposed.
 */
async function runRepository(
  context: TaskContext<RepositoryInput>,
  repository: Repository,
  byRule: Record<string, RuleCounts>,
  suggestions: Record<string, unknown>[],
  report: (fraction: number) => Promise<void>,
): Promise<ImperiumRepositoryResult> {
  const result: ImperiumRepositoryResult = {
    repository_id: repository.id,
    name: repository.name,
    head_commit: null,
    files_total: 0,
    files_in_scope: 0,
    files_analysed: 0,
    files_skipped: 0,
    files_failed: 0,
    proposals_created: 0,
    proposals_already_open: 0,
    proposals_previously_rejected: 0,
    proposals_refused: 0,
    experiments_created: 0,
  };
  const head = await resolveHead(repository).catch(() => undefined);
  if (!head) {
    await context.log('warn', `${repository.name}: no commit on ${repository.defaultBranch}, skipped`);
    return result;
  }
  result.head_commit = head;
  const files = await listFiles(repository, head);
  result.files_total = files.length;
  const inScope = files.filter((file) => file.mode !== '120000' && languageOfPath(file.path) && !isVendored(file.path));
  result.files_in_scope = inScope.length;
  await context.log(
    'info',
    `${repository.name}@${head.slice(0, 12)}: ${inScope.length} of ${files.length} files in scope`,
  );
  const counts = (ruleId: string) => (byRule[ruleId] ??= { applied: 0, suggested: 0, proposals_created: 0 });

  for (const [index, file] of inScope.entries()) {
    context.signal.throwIfAborted();
    if (index % 20 === 0) await report(index / Math.max(1, inScope.length));
    if (file.size > MAX_FILE_BYTES) {
      result.files_skipped += 1;
      continue;
    }
    const bytes = await readBlob(repository, file.blob);
    if (bytes.includes(0)) {
      result.files_skipped += 1;
      continue;
    }
    const code = bytes.toString('utf8');
    let overall;
    try {
      // The engine runs on a thread of the compute pool, like every analysis of this task below.
      overall = await context.compute.optimize({ code, filePath: file.path });
    } catch (error) {
      context.signal.throwIfAborted();
      result.files_failed += 1;
      await context.log('warn', `${file.path}: not analysed: ${(error as Error).message}`);
      continue;
    }
    result.files_analysed += 1;
    for (const ruleId of overall.failedRules) await context.log('warn', `${file.path}: rule ${ruleId} failed`);
    for (const suggestion of overall.suggestions) {
      counts(suggestion.rule_id).suggested += 1;
      if (suggestions.length < MAX_LISTED_SUGGESTIONS) {
        suggestions.push({ repository_id: repository.id, file_path: file.path, ...suggestion });
      }
    }
    const appliedRules = [...new Set(overall.changes.map((change) => change.rule_id))];
    for (const ruleId of appliedRules) {
      context.signal.throwIfAborted();
      const rule = IMPERIUM_RULES.find((candidate) => candidate.id === ruleId)!;
      // Each rule's proposal holds only its own edits, against the file as committed.
      const single = await context.compute.optimize({ code, filePath: file.path, ruleIds: [rule.id] });
      if (single.optimizedCode === code) continue;
      counts(ruleId).applied += single.changes.length;
      const change = { file_path: file.path, code_before: code, code_after: single.optimizedCode };
      const hash = contentHash(repository.id, (await context.compute.diff([change])).changes);
      // Known already: skipped before the security gate and checks run again for nothing.
      const existing = await proposalsWithContentHash(context.database.orm, hash);
      if (existing.some((row) => row.status === 'rejected')) {
        result.proposals_previously_rejected += 1;
        continue;
      }
      if (existing.some((row) => ([...OPEN_STATUSES, 'applied'] as readonly string[]).includes(row.status))) {
        result.proposals_already_open += 1;
        // measured now if it was not yet (a benchmark command set since, or an attempt that died in between)
        const open = existing.find((row) => (OPEN_STATUSES as readonly string[]).includes(row.status));
        if (open && (await measureClaim(context, repository, open.id, rule))) result.experiments_created += 1;
        continue;
      }
      try {
        const { proposal, superseded } = await createProposal(
          context.database.orm,
          reader,
          {
            aiType: 'imperium',
            repositoryId: repository.id,
            description: `${rule.title} (${rule.id}, ${file.path}, ${single.changes.length} change${single.changes.length === 1 ? '' : 's'})`,
            rationale: rationaleOf(rule, single.changes),
            ruleId: rule.id,
            category: rule.impact,
            confidence: rule.confidence,
            files: [change],
            createdBy: IMPERIUM_ACTOR,
          },
          new Date(),
          context.compute,
        );
        result.proposals_created += 1;
        counts(ruleId).proposals_created += 1;
        const log = {
          error: (details: object, message: string) =>
            void context.log('error', `${message}: ${JSON.stringify(details)}`),
        };
        await publishProposalEvent(context.events, 'created', proposal, log);
        for (const older of superseded) await publishProposalEvent(context.events, 'superseded', older, log);
        if (await measureClaim(context, repository, proposal.id, rule)) result.experiments_created += 1;
      } catch (error) {
        // a path a proposal may not hold (an invisible character in a committed file's name): refused, not fatal
        if (!(error instanceof ProposalRefusedError || error instanceof UnsafePathError)) throw error;
        if (error instanceof ProposalRefusedError && error.code === 'duplicate') {
          if (error.extensions.existing_status === 'rejected') result.proposals_previously_rejected += 1;
          else result.proposals_already_open += 1;
        } else {
          result.proposals_refused += 1;
          await context.log('warn', `${file.path}: ${rule.id} not proposed: ${error.code}: ${error.message}`);
        }
      }
    }
  }
  await context.log(
    'info',
    `${repository.name}: ${result.files_analysed} analysed, ${result.proposals_created} proposal(s) created, ` +
      `${result.proposals_already_open} already proposed, ${result.proposals_previously_rejected} previously rejected`,
  );
  return result;
}

/** The imperium agent's task: optimises the repository in its input (or every registered one) into proposals. */
export async function runImperium(context: TaskContext<RepositoryInput>): Promise<Record<string, unknown>> {
  const found = await targetRepositories(context);
  const results: ImperiumRepositoryResult[] = [];
  const byRule: Record<string, RuleCounts> = {};
  const suggestions: Record<string, unknown>[] = [];
  let lastPercent = -1;
  for (const [index, repository] of found.entries()) {
    context.signal.throwIfAborted();
    results.push(
      await runRepository(context, repository, byRule, suggestions, async (fraction) => {
        const percent = Math.floor(((index + fraction) / found.length) * 100);
        if (percent > lastPercent) {
          lastPercent = percent;
          await context.progress(percent);
        }
      }),
    );
  }
  await context.progress(100);
  const total = (key: keyof ImperiumRepositoryResult) =>
    results.reduce((sum, result) => sum + (result[key] as number), 0);
  const suggestedTotal = Object.values(byRule).reduce((sum, counts) => sum + counts.suggested, 0);
  return {
    kind: 'imperium_run',
    files_analysed: total('files_analysed'),
    files_failed: total('files_failed'),
    proposals_created: total('proposals_created'),
    proposals_already_open: total('proposals_already_open'),
    proposals_previously_rejected: total('proposals_previously_rejected'),
    proposals_refused: total('proposals_refused'),
    experiments_created: total('experiments_created'),
    by_rule: byRule,
    suggestions,
    suggestions_total: suggestedTotal,
    repositories: results,
  };
}
