import type { Compute } from '../compute/compute.js';
import type { Finding } from '../analysis/guardian/finding.js';
import type { Difficulty } from '../learning/xp.js';
import { profileFor, shareOf } from './difficulty.js';
import { JS_TEMPLATES, jsProgram } from './guardian-case-javascript.js';
import { SINK, namesFor, snake, type Variant, type Template } from './guardian-case-names.js';
import { PY_TEMPLATES, pyProgram } from './guardian-case-python.js';
import { createRandom, subSeed, type Random } from './random.js';
import type { CaseResult } from './types.js';

/**
 * Guardian's custody cases: small Express / Flask programs with one planted vulnerability of a known
 * family at a known line, and clean twins — the same program made safe (parameterised query, argument
 * list, constant path…). From `advanced` on some clean twins keep the dangerous-looking sink but feed it
 * constant or sanitised input. Obfuscation (0–3) hides the flow: renamed locals and string building,
 * destructured or aliased sources and helper functions, then unrelated code around.
 */
export type GuardianCaseKind = 'vulnerable' | 'clean' | 'tricky-clean';

export interface GuardianCase {
  readonly id: string;
  readonly kind: GuardianCaseKind;
  readonly filePath: string;
  readonly code: string;
  /** the family (`issue_type`) planted, or that the clean twin imitates */
  readonly issueType: string;
  /** the line of the planted sink (vulnerable cases only) */
  readonly line: number | null;
  readonly obfuscation: number;
}

/** Takes the sink marker out and answers the line it was on (1-based). */
function locateSink(marked: string): { code: string; line: number | null } {
  const lines = marked.split('\n');
  const index = lines.findIndex((line) => line.includes(SINK));
  return { code: marked.split(SINK).join(''), line: index === -1 ? null : index + 1 };
}

/** The cases of one Guardian custody test: the same (difficulty, seed) always gives the same cases. */
export function generateGuardianCases(difficulty: Difficulty, seed: number): GuardianCase[] {
  const profile = profileFor('guardian', difficulty);
  const random = createRandom(subSeed(seed, `guardian:${difficulty}`));
  const clean = shareOf(profile.cases, profile.cleanShare);
  const tricky = Math.min(clean, shareOf(profile.cases, profile.trickyShare));
  const kinds: GuardianCaseKind[] = [
    ...Array<GuardianCaseKind>(profile.cases - clean).fill('vulnerable'),
    ...Array<GuardianCaseKind>(clean - tricky).fill('clean'),
    ...Array<GuardianCaseKind>(tricky).fill('tricky-clean'),
  ];
  // every family and language before any repeats, in a seeded order
  let deck: number[] = [];
  return random.shuffle(kinds).map((kind, index) => {
    if (deck.length === 0) deck = random.shuffle(GUARDIAN_TEMPLATES.map((_, position) => position));
    // the hardest level of the difficulty for most cases, some easier ones mixed in
    const level = Math.max(0, profile.obfuscation - (random.chance(0.3) ? 1 : 0));
    return buildGuardianCase(deck.pop()!, kind, level, random, `g${index + 1}`);
  });
}

const GUARDIAN_TEMPLATES: readonly Template[] = [...JS_TEMPLATES, ...PY_TEMPLATES];

/** How many program templates there are (each family in each language). */
export const GUARDIAN_TEMPLATE_COUNT = GUARDIAN_TEMPLATES.length;

/** One case from one template, kind and obfuscation level; names and layout come from `random`. */
export function buildGuardianCase(
  templateIndex: number,
  kind: GuardianCaseKind,
  level: number,
  random: Random,
  id: string,
): GuardianCase {
  const template = GUARDIAN_TEMPLATES[templateIndex]!;
  const names = namesFor(random);
  const variant: Variant = kind === 'vulnerable' ? 'vulnerable' : kind === 'clean' ? 'clean' : 'tricky';
  const program =
    template.language === 'javascript'
      ? jsProgram(template, names, variant, level, random)
      : pyProgram(template, names, variant, level, random);
  const { code, line } = locateSink(program);
  const extension = template.language === 'javascript' ? random.pick(['js', 'mjs', 'cjs']) : 'py';
  const folder = random.pick(['src', 'app', 'server', 'routes', 'api']);
  return {
    id,
    kind,
    filePath: `${folder}/${snake(names.route.slice(1))}_${id}.${extension}`,
    code,
    issueType: template.family,
    line: kind === 'vulnerable' ? line : null,
    obfuscation: level,
  };
}

/** Whether Guardian's findings on a case agree with its ground truth. */
export function judgeGuardianCase(testCase: GuardianCase, findings: readonly Finding[]): CaseResult {
  const ofFamily = findings.filter((finding) => finding.issue_type === testCase.issueType);
  const hit =
    testCase.line !== null &&
    ofFamily.some((finding) => finding.line <= testCase.line! && testCase.line! <= finding.end_line);
  const correct = testCase.kind === 'vulnerable' ? hit : ofFamily.length === 0;
  return {
    id: testCase.id,
    kind: testCase.kind,
    expected: {
      file_path: testCase.filePath,
      vulnerable: testCase.kind === 'vulnerable',
      issue_type: testCase.issueType,
      line: testCase.line,
      obfuscation: testCase.obfuscation,
    },
    got: {
      findings: ofFamily.slice(0, 5).map((finding) => ({ rule_id: finding.rule_id, line: finding.line })),
      other_findings: findings.length - ofFamily.length,
    },
    correct,
  };
}

/** Runs the real analyzer (every Guardian rule, on the compute pool) on each case and judges it. */
export async function runGuardianCases(
  cases: readonly GuardianCase[],
  compute: Compute,
  signal?: AbortSignal,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const testCase of cases) {
    signal?.throwIfAborted();
    let findings: Finding[];
    try {
      ({ findings } = await compute.analyze({ code: testCase.code, filePath: testCase.filePath }, { signal }));
    } catch (error) {
      results.push({
        ...judgeGuardianCase(testCase, []),
        got: { error: error instanceof Error ? error.message.slice(0, 300) : String(error) },
        correct: false,
      });
      continue;
    }
    results.push(judgeGuardianCase(testCase, findings));
  }
  return results;
}
