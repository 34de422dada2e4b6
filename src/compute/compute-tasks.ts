// The functions the compute pool's worker threads run (and the inline mode runs on the main thread).
// Each takes and returns plain data: rules and trees stay inside the thread.
import { analyzeCode, UnsupportedLanguageError } from '../analysis/guardian/analyze.js';
import { parsesCleanly } from '../analysis/guardian/parser.js';
import { GUARDIAN_RULES } from '../analysis/guardian/rules.js';
import { LANGUAGES, languageOfPath } from '../analysis/languages.js';
import { optimizeCode } from '../analysis/imperium/optimize.js';
import { IMPERIUM_RULES } from '../analysis/imperium/rules.js';
import type { OptimizeResult } from '../analysis/imperium/optimize.js';
import { buildChanges, type FileChangeInput } from '../analysis/changes.js';
import { scanProposalChanges, type ProposalFinding } from '../analysis/security-gate.js';
import { train, type AcceptanceModel, type Example } from '../analysis/acceptance/model.js';
import type { AnalyzeOutcome, AnalyzeTask, DiffOutcome, OptimizeTask, ScannedChange } from './compute.js';

export async function analyze(task: AnalyzeTask): Promise<AnalyzeOutcome> {
  const language = task.language ?? languageOfPath(task.filePath);
  if (!language) throw new UnsupportedLanguageError(task.filePath);
  const rules = GUARDIAN_RULES.filter(
    (rule) => rule.languages.includes(language) && (!task.ruleIds || task.ruleIds.includes(rule.id)),
  );
  const ruleErrors: AnalyzeOutcome['ruleErrors'] = [];
  const findings = await analyzeCode({ code: task.code, filePath: task.filePath, language }, rules, {
    onRuleError: (ruleId, error) =>
      ruleErrors.push({
        ruleId,
        message: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      }),
  });
  return { findings, rulesRun: rules.length, ruleErrors };
}

export async function optimize(task: OptimizeTask): Promise<OptimizeResult> {
  const { ruleIds } = task;
  return optimizeCode({
    code: task.code,
    filePath: task.filePath,
    language: task.language,
    goals: task.goals,
    rules: ruleIds ? IMPERIUM_RULES.filter((rule) => ruleIds.includes(rule.id)) : undefined,
  });
}

export async function diff(inputs: readonly FileChangeInput[]): Promise<DiffOutcome> {
  return buildChanges(inputs);
}

export async function securityGate(changes: readonly ScannedChange[]): Promise<ProposalFinding[]> {
  return scanProposalChanges(changes);
}

export async function fitAcceptanceModel(examples: readonly Example[]): Promise<AcceptanceModel> {
  return train(examples);
}

/** Loads every grammar, so a worker that cannot parse fails at start-up rather than on a request. */
export async function ping(): Promise<{ threadId: number }> {
  for (const language of LANGUAGES) await parsesCleanly('', language);
  const { threadId } = await import('node:worker_threads');
  return { threadId };
}
