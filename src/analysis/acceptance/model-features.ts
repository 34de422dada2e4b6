import type { TreeColumns } from './boosting.js';
import type { ProposalFeatures } from './proposal-features.js';

/**
 * What the acceptance model sees of a proposal: binary features for the logistic part (single values,
 * thresholds and their crossings) and columns for the trees.
 */

/** The prior, in log-odds, of what a proposal's tests and Guardian's gate say: holds before any verdict. */
export const PRIOR_LOG_ODDS: Readonly<Record<string, number>> = {
  'test=regression': -4,
  'test=error': -0.7,
  'test=still-failing': -0.4,
  'test=passed': 0.3,
  'test=fixed': 0.4,
  'security=critical': -4.5,
  'security=high': -4,
  'security=medium': -0.5,
};

const SIZE_LIMITS = [2, 4, 8, 13, 20, 32, 50, 80, 130].map((limit) => [limit, `<=${limit}`] as const);
const HUNK_LIMITS = [1, 2, 4].map((limit) => [limit, `<=${limit}`] as const);
const CONFIDENCE_FLOORS = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95].map((floor) => [floor, `>=${floor}`] as const);

function testOutcome(features: ProposalFeatures): string {
  return features.test_verdict ?? 'untested';
}

function security(features: ProposalFeatures): string {
  if (features.guardian_delta === null || features.guardian_delta === undefined) return 'unscanned';
  if (features.guardian_delta === 0) return 'clean';
  // events stored before severities were kept: an introduced finding of unknown severity
  return features.guardian_severity ?? 'introduced';
}

function shape(features: ProposalFeatures): string {
  if (features.deletions > features.additions) return 'removes';
  return features.additions > features.deletions ? 'adds' : 'balanced';
}

/**
 * A proposal's binary features as single values — the name of one is `kinds[i] + values[i]` (`agent=` +
 * `imperium`, `size` + `<=13`) — and crossings of two of them (`pairs`, flattened: single indexes two by
 * two), named `first×second`. A retrain numbers them without building every name of every verdict.
 */
export interface DescribedFeatures {
  readonly kinds: string[];
  readonly values: string[];
  readonly pairs: number[];
}

/**
 * Single values: agent, rule, category, language, path pattern, directory, repository, rule within the
 * repository, test outcome, security (highest new severity), resolved findings, shape (more removed or
 * added), and cumulative thresholds of size, hunks and confidence (a step anywhere along a scale is a sum
 * of them). Crossings: the agent and the category each with size, hunk and confidence thresholds,
 * directory, test outcome, shape and resolved findings; the rule with the agent, directory, shape, size
 * and confidence; the repository with the agent, directory, test outcome and category.
 */
export function describeFeatures(features: ProposalFeatures): DescribedFeatures {
  const kinds: string[] = [];
  const values: string[] = [];
  const pairs: number[] = [];
  const single = (kind: string, value: string) => {
    kinds.push(kind);
    values.push(value);
    return kinds.length - 1;
  };
  const rule = features.rule_id ?? '(none)';
  const repository = features.repository_id ?? '(none)';

  single('bias', '');
  const agentAt = single('agent=', features.agent);
  const ruleAt = single('rule=', rule);
  const categoryAt = single('category=', features.category ?? '(none)');
  single('language=', features.language);
  single('path=', features.path_pattern);
  const directoryAt = single('dir=', features.directory);
  const repositoryAt = single('repo=', repository);
  single('rule@repo=', `${rule}@${repository}`);
  const testAt = single('test=', testOutcome(features));
  single('security=', security(features));
  const resolvedAt = single('resolved=', (features.guardian_resolved ?? 0) > 0 ? 'some' : 'none');
  const shapeAt = single('shape=', shape(features));
  const sizes: number[] = [];
  for (const [limit, name] of SIZE_LIMITS) if (features.diff_size <= limit) sizes.push(single('size', name));
  const hunks: number[] = [];
  for (const [limit, name] of HUNK_LIMITS) if (features.hunks <= limit) hunks.push(single('hunks', name));
  const confidences: number[] = [];
  const confidence = features.confidence;
  if (confidence === null) confidences.push(single('confidence', 'none'));
  else
    for (const [floor, name] of CONFIDENCE_FLOORS)
      if (confidence >= floor) confidences.push(single('confidence', name));

  const cross = (first: number, seconds: readonly number[]) => {
    for (const second of seconds) pairs.push(first, second);
  };
  for (const first of [agentAt, categoryAt]) {
    cross(first, sizes);
    cross(first, hunks);
    cross(first, confidences);
    cross(first, [directoryAt, testAt, shapeAt, resolvedAt]);
  }
  cross(ruleAt, [agentAt, directoryAt, shapeAt]);
  cross(ruleAt, sizes);
  cross(ruleAt, confidences);
  cross(repositoryAt, [agentAt, directoryAt, testAt, categoryAt]);
  return { kinds, values, pairs };
}

/** The names of a proposal's binary features (`describeFeatures`). */
export function featureNames(features: ProposalFeatures): string[] {
  const { kinds, values, pairs } = describeFeatures(features);
  const names = kinds.map((kind, index) => kind + values[index]!);
  for (let index = 0; index < pairs.length; index += 2) {
    names.push(`${names[pairs[index]!]!}×${names[pairs[index + 1]!]!}`);
  }
  return names;
}

/** The prior's log-odds for these feature names. */
export function priorOf(names: readonly string[]): number {
  let prior = 0;
  for (const name of names) prior += PRIOR_LOG_ODDS[name] ?? 0;
  return prior;
}

/**
 * The columns the trees split on: the proposal's values (a split asks for one) and its numbers (a split
 * asks whether it is at most some value). An unknown confidence counts as −1, below every known one.
 */
export function treeColumns(features: ProposalFeatures): TreeColumns {
  const rule = features.rule_id ?? '(none)';
  const repository = features.repository_id ?? '(none)';
  return {
    agent: features.agent,
    rule,
    category: features.category ?? '(none)',
    language: features.language,
    path: features.path_pattern,
    dir: features.directory,
    repo: repository,
    'rule@repo': `${rule}@${repository}`,
    test: testOutcome(features),
    security: security(features),
    shape: shape(features),
    size: features.diff_size,
    additions: features.additions,
    deletions: features.deletions,
    hunks: features.hunks,
    confidence: features.confidence ?? -1,
    resolved: features.guardian_resolved ?? 0,
  };
}
