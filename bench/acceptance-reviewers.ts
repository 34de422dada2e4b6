// Simulated reviewers for the acceptance model (bench/acceptance-model.ts and its unit test): a stream of
// proposals with the features lvlup really extracts, and reviewers whose taste is a hidden function of
// them, made of interactions. The model only ever sees their (noisy) verdicts.
import type { ProposalFeatures } from '../src/analysis/acceptance/proposal-features.js';
import { seededRandom } from '../src/analysis/acceptance/model.js';

interface RuleSpec {
  readonly id: string;
  readonly agent: string;
  readonly category: string;
}

const RULES: readonly RuleSpec[] = [
  { id: 'js.sql-injection', agent: 'guardian', category: 'security' },
  { id: 'js.xss', agent: 'guardian', category: 'security' },
  { id: 'js.hardcoded-secret', agent: 'guardian', category: 'security' },
  { id: 'py.path-traversal', agent: 'guardian', category: 'security' },
  { id: 'perf.loop-invariant', agent: 'imperium', category: 'performance' },
  { id: 'perf.memoize', agent: 'imperium', category: 'performance' },
  { id: 'maint.dead-code', agent: 'imperium', category: 'maintainability' },
  { id: 'maint.long-function', agent: 'imperium', category: 'maintainability' },
  { id: 'style.naming', agent: 'tidy', category: 'style' },
  { id: 'style.imports', agent: 'tidy', category: 'style' },
  { id: 'maint.unused-variable', agent: 'tidy', category: 'maintainability' },
  { id: 'types.no-any', agent: 'typer', category: 'types' },
  { id: 'types.strict-null', agent: 'typer', category: 'types' },
];
const DIRECTORIES = ['src', 'src', 'src', 'lib', 'lib', 'test', 'docs', 'scripts', '.'] as const;
const EXTENSIONS = ['ts', 'ts', 'ts', 'js', 'js', 'py', 'md'] as const;
const LANGUAGE: Record<string, string> = { ts: 'typescript', js: 'javascript', py: 'python', md: 'markdown' };
const REPOSITORIES = ['repo-web', 'repo-api', 'repo-tools'] as const;
/** repo-tools has no checks: its proposals are never tested */
const TESTED = new Set(['repo-web', 'repo-api']);
const SEVERITY_LEVELS = ['low', 'medium', 'high', 'critical'] as const;

/** `count` proposals with realistic spreads: heavy-tailed sizes, mostly passing tests, few new findings. */
export function simulateProposals(count: number, seed: number): ProposalFeatures[] {
  const random = seededRandom(seed);
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const proposals: ProposalFeatures[] = [];
  for (let index = 0; index < count; index++) {
    const rule = pick(RULES);
    const repository = pick(REPOSITORIES);
    const directory = pick(DIRECTORIES);
    const extension = rule.id.startsWith('py.') ? 'py' : pick(EXTENSIONS);
    const size = Math.max(1, Math.round(Math.exp(1.9 + 1.1 * normal())));
    const deletionShare = random();
    const deletions = Math.round(size * deletionShare);
    const additions = size - deletions;
    const hunks = 1 + Math.floor(random() * Math.min(8, 1 + size / 12));
    const confidence =
      random() < 0.1 ? null : Math.round(Math.min(1, Math.max(0.2, 0.7 + 0.18 * normal())) * 100) / 100;
    let testVerdict: string | null = null;
    if (TESTED.has(repository)) {
      const roll = random();
      testVerdict =
        roll < 0.68
          ? 'passed'
          : roll < 0.74
            ? 'fixed'
            : roll < 0.82
              ? 'still-failing'
              : roll < 0.95
                ? 'regression'
                : 'error';
    }
    const scanned = extension !== 'md';
    const introduced = scanned && random() < 0.12 ? 1 + Math.floor(random() * 2) : 0;
    const resolved = scanned ? (rule.category === 'security' ? 1 : random() < 0.05 ? 1 : 0) : null;
    proposals.push({
      agent: rule.agent,
      rule_id: rule.id,
      category: rule.category,
      language: LANGUAGE[extension]!,
      path_pattern: directory === '.' ? `*.${extension}` : `${directory}/*.${extension}`,
      directory,
      diff_size: size,
      additions,
      deletions,
      hunks,
      confidence,
      test_verdict: testVerdict,
      guardian_delta: scanned ? introduced : null,
      guardian_severity: introduced > 0 ? pick(SEVERITY_LEVELS) : null,
      guardian_resolved: resolved,
      repository_id: repository,
    });
  }
  return proposals;
}

export interface SimulatedReviewer {
  readonly name: string;
  readonly description: string;
  /** the probability this reviewer's taste accepts the proposal, before the flipped verdicts */
  taste(proposal: ProposalFeatures): number;
}

const regressed = (p: ProposalFeatures) => p.test_verdict === 'regression';
const insecure = (p: ProposalFeatures) => p.guardian_severity === 'high' || p.guardian_severity === 'critical';

/** The one in the issue: an agent welcome only when small, a rule only in one directory, security fixes only above a confidence. */
export const issueReviewer: SimulatedReviewer = {
  name: 'interactions (the issue)',
  description:
    'imperium only under 13 changed lines; maint.dead-code only in src/; security fixes only at confidence ≥ 0.8; tidy only in test/ and scripts/; never a regression or a new high/critical finding',
  taste(p) {
    if (regressed(p) || insecure(p)) return 0;
    if (p.agent === 'imperium' && p.diff_size > 12) return 0;
    if (p.rule_id === 'maint.dead-code') return p.directory === 'src' ? 1 : 0;
    if (p.category === 'security') return (p.confidence ?? 0) >= 0.8 ? 1 : 0;
    if (p.agent === 'tidy') return p.directory === 'test' || p.directory === 'scripts' ? 1 : 0;
    return 1;
  },
};

/** Cares about the repository and the place: each repository has its own rules. */
export const repositoryReviewer: SimulatedReviewer = {
  name: 'per repository and place',
  description:
    'repo-api: only proven changes (passed or fixed tests); repo-tools: only small ones outside docs/; typer only in lib/ with confidence ≥ 0.6; style never in src/',
  taste(p) {
    if (regressed(p)) return 0;
    if (insecure(p)) return 0.2;
    if (p.category === 'style' && p.directory === 'src') return 0;
    if (p.agent === 'typer') return p.directory === 'lib' && (p.confidence ?? 0) >= 0.6 ? 1 : 0;
    if (p.repository_id === 'repo-api') return p.test_verdict === 'passed' || p.test_verdict === 'fixed' ? 1 : 0;
    if (p.repository_id === 'repo-tools') return p.diff_size <= 20 && p.directory !== 'docs' ? 1 : 0;
    return p.category === 'performance' ? 0.4 : 0.8;
  },
};

/** Judges the shape of a change: cleanups welcome, growth only when focused; graded, not all-or-nothing. */
export const shapeReviewer: SimulatedReviewer = {
  name: 'shape of the change',
  description:
    'removals welcome from everyone; additions only in at most 2 hunks, from guardian or typer; performance only with passing tests; imperium never in test/',
  taste(p) {
    if (regressed(p)) return 0.1;
    if (insecure(p)) return 0.05;
    if (p.agent === 'imperium' && p.directory === 'test') return 0.05;
    if (p.category === 'performance' && p.test_verdict !== 'passed') return 0.2;
    if (p.deletions > p.additions) return p.diff_size > 60 ? 0.6 : 0.9;
    if (p.hunks <= 2 && (p.agent === 'guardian' || p.agent === 'typer')) return 0.8;
    return (p.confidence ?? 0.5) >= 0.85 ? 0.55 : 0.25;
  },
};

/** No interactions at all: a liking per agent and per rule, added up (where a counter does well). */
export const additiveReviewer: SimulatedReviewer = {
  name: 'additive (no interactions)',
  description: 'a logit sum of a liking per agent, per rule and per directory, minus a little per changed line',
  taste(p) {
    const agent: Record<string, number> = { guardian: 1, imperium: -0.5, tidy: 0, typer: 0.5 };
    const directory: Record<string, number> = { src: 0.5, lib: 0.3, test: -0.4, docs: -1, scripts: 0, '.': -0.3 };
    let hash = 0;
    for (const character of p.rule_id ?? '') hash = (hash * 31 + character.charCodeAt(0)) >>> 0;
    const rule = ((hash % 7) - 3) / 2;
    const z =
      (agent[p.agent] ?? 0) +
      (directory[p.directory] ?? 0) +
      rule -
      Math.log1p(p.diff_size) / 3 -
      (regressed(p) ? 2 : 0);
    return 1 / (1 + Math.exp(-z));
  },
};

/** Each agent has its own limit on the size of a change it is trusted with (one only for large ones). */
export const sizeByAgentReviewer: SimulatedReviewer = {
  name: 'size × agent',
  description:
    'guardian at any size; imperium only under 10 changed lines; tidy only under 25; typer only from 8 lines on (small type changes are noise to this reviewer)',
  taste(p) {
    if (regressed(p) || insecure(p)) return 0;
    const size = p.diff_size;
    if (p.agent === 'imperium') return size < 10 ? 1 : 0;
    if (p.agent === 'tidy') return size < 25 ? 1 : 0;
    if (p.agent === 'typer') return size >= 8 ? 1 : 0;
    return 0.9;
  },
};

/** Each rule is welcome in its own places only. */
export const ruleByDirectoryReviewer: SimulatedReviewer = {
  name: 'rule × directory',
  description:
    'security rules everywhere but docs/ and scripts/; performance rules only in src/ and lib/; style and dead code only in test/ and scripts/; types only outside test/; long functions nowhere but lib/',
  taste(p) {
    if (regressed(p) || insecure(p)) return 0;
    const directory = p.directory;
    switch (p.rule_id) {
      case 'js.sql-injection':
      case 'js.xss':
      case 'js.hardcoded-secret':
      case 'py.path-traversal':
        return directory === 'docs' || directory === 'scripts' ? 0 : 1;
      case 'perf.loop-invariant':
      case 'perf.memoize':
        return directory === 'src' || directory === 'lib' ? 1 : 0;
      case 'style.naming':
      case 'style.imports':
      case 'maint.dead-code':
        return directory === 'test' || directory === 'scripts' ? 1 : 0;
      case 'maint.long-function':
        return directory === 'lib' ? 1 : 0;
      default:
        return directory === 'test' ? 0 : 1;
    }
  },
};

/** Trusts each category only above its own confidence, and one category only below one. */
export const confidenceByCategoryReviewer: SimulatedReviewer = {
  name: 'confidence × category',
  description:
    'security only at confidence ≥ 0.8, performance ≥ 0.65, types ≥ 0.55; maintainability only under 0.75 (sure-of-itself refactors are too bold); style always; unknown confidence: rejected except style',
  taste(p) {
    if (regressed(p) || insecure(p)) return 0;
    const confidence = p.confidence;
    if (p.category === 'style') return 1;
    if (confidence === null) return 0;
    if (p.category === 'security') return confidence >= 0.8 ? 1 : 0;
    if (p.category === 'performance') return confidence >= 0.65 ? 1 : 0;
    if (p.category === 'types') return confidence >= 0.55 ? 1 : 0;
    return confidence < 0.75 ? 1 : 0;
  },
};

/** Only the agent and the rule matter, each pair with its own rate: what a per-(agent, rule) counter captures. */
export const perRuleReviewer: SimulatedReviewer = {
  name: 'per (agent, rule) rate',
  description: 'each rule has its own acceptance rate (from 0.05 to 0.95), whatever the change; never a regression',
  taste(p) {
    if (regressed(p)) return 0.05;
    let hash = 7;
    for (const character of p.rule_id ?? '') hash = (hash * 131 + character.charCodeAt(0)) >>> 0;
    return 0.05 + 0.9 * ((hash % 11) / 10);
  },
};

/** Additive likings, strong ones: no interactions, but a clear taste. */
export const strongAdditiveReviewer: SimulatedReviewer = {
  name: 'additive, strong',
  description:
    'a logit sum of strong likings per agent, per category, per directory and per repository, minus one per doubling of the size, two for failing tests',
  taste(p) {
    const agent: Record<string, number> = { guardian: 1.2, imperium: -1, tidy: 0.3, typer: 0.6 };
    const category: Record<string, number> = {
      security: 0.5,
      performance: -0.6,
      maintainability: 0.4,
      style: -0.8,
      types: 0.5,
    };
    const directory: Record<string, number> = { src: 1, lib: 0.6, test: -0.8, docs: -1.5, scripts: 0.2, '.': -0.6 };
    const repository: Record<string, number> = { 'repo-web': 0.6, 'repo-api': -0.4, 'repo-tools': 0 };
    const z =
      (agent[p.agent] ?? 0) +
      (category[p.category ?? ''] ?? 0) +
      (directory[p.directory] ?? 0) +
      (repository[p.repository_id ?? ''] ?? 0) +
      2 -
      Math.log2(1 + p.diff_size) / 1.2 -
      (p.test_verdict === 'regression' || p.test_verdict === 'still-failing' ? 2 : 0);
    return 1 / (1 + Math.exp(-2 * z));
  },
};

export const SIMULATED_REVIEWERS: readonly SimulatedReviewer[] = [
  issueReviewer,
  sizeByAgentReviewer,
  ruleByDirectoryReviewer,
  confidenceByCategoryReviewer,
  repositoryReviewer,
  shapeReviewer,
  perRuleReviewer,
  additiveReviewer,
  strongAdditiveReviewer,
];

export interface ReviewedProposal {
  readonly features: ProposalFeatures;
  /** the reviewer's true probability of accepting it, noise included: the exact-taste ceiling's score */
  readonly truth: number;
  readonly label: 0 | 1;
}

/**
 * The reviewer's verdicts on `count` proposals: its taste decides, then `noise` of the verdicts are
 * flipped. `truth` is the probability of an acceptance once the flips are counted in.
 */
export function review(
  reviewer: SimulatedReviewer,
  options: { count: number; seed: number; noise: number },
): ReviewedProposal[] {
  const random = seededRandom(options.seed * 7919 + 17);
  return simulateProposals(options.count, options.seed).map((features) => {
    const taste = reviewer.taste(features);
    const accepted = random() < taste;
    const flipped = random() < options.noise;
    return {
      features,
      truth: options.noise * (1 - taste) + (1 - options.noise) * taste,
      label: accepted !== flipped ? 1 : 0,
    };
  });
}
