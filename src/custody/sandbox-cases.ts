import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SandboxCommandResult } from '../db/schema.js';
import { git } from '../git/git.js';
import type { Difficulty } from '../learning/xp.js';
import { runChecks } from '../sandbox/run-checks.js';
import type { SandboxService } from '../sandbox/sandbox-service.js';
import { compareWithBaseline, type SandboxVerdict } from '../sandbox/verdict.js';
import { createWorkTree, writeChanges } from '../sandbox/work-tree.js';
import { profileFor, shareOf } from './difficulty.js';
import { createRandom, subSeed, type Random } from './random.js';
import type { CaseResult } from './types.js';

/**
 * Sandbox's custody cases: a small generated package (`lib.js` with three functions, a test file per
 * function, each test file a check command of its own) committed to a throw-away git repository, and
 * proposals known to keep its tests passing (`keep`, expected verdict `passed`) or to break them (`break`,
 * expected `regression`). From `advanced` on, some are subtle: a keep that rewrites a whole function, a
 * break that only moves a boundary the tests check. From `expert` on the base itself is broken (a known bug
 * in one function, so its check fails before any change): a keep must then give `still-failing` (the
 * proposal is not blamed for a failure it did not cause), a break `regression`, and a proposal that repairs
 * the bug (`fix`) `fixed`. The agent under test is Sandbox's own pipeline: work tree, changes written,
 * checks run in isolation, verdict against the baseline.
 */
export type SandboxCaseKind = 'keep' | 'break' | 'fix';

export interface SandboxCase {
  readonly id: string;
  readonly kind: SandboxCaseKind;
  readonly subtle: boolean;
  readonly description: string;
  readonly changes: { file_path: string; code_after: string }[];
}

export interface SandboxFixture {
  /** the package's files at the base commit */
  readonly files: Record<string, string>;
  readonly commands: readonly string[];
  /** the base carries a known bug: the check of one function fails before any change */
  readonly brokenBase: boolean;
  readonly cases: SandboxCase[];
}

interface Package {
  readonly add: string;
  readonly clamp: string;
  readonly repeat: string;
  readonly numbers: number[];
  readonly word: string;
}

function packageFor(random: Random): Package {
  return {
    add: random.pick(['add', 'sum', 'plus', 'combine']),
    clamp: random.pick(['clamp', 'bound', 'limit', 'restrict']),
    repeat: random.pick(['repeat', 'echo', 'stamp', 'cycle']),
    numbers: [random.int(2, 40), random.int(2, 40), random.int(5, 20), random.int(30, 60)],
    word: random.pick(['ab', 'xo', 'hey', 'lv', 'ok']),
  };
}

type FunctionName = 'add' | 'clamp' | 'repeat';
type Bodies = Partial<Record<FunctionName, string>>;

/** The bug a broken base carries: `repeat` repeats one time too few. */
const BROKEN_BASE: Bodies = { repeat: '  return text.repeat(Math.max(0, times - 1));' };

function library(names: Package, bodies: Bodies = {}): string {
  return [
    `function ${names.add}(a, b) {`,
    bodies.add ?? '  return a + b;',
    '}',
    '',
    `function ${names.clamp}(value, low, high) {`,
    bodies.clamp ?? '  return Math.min(Math.max(value, low), high);',
    '}',
    '',
    `function ${names.repeat}(text, times) {`,
    bodies.repeat ?? '  return text.repeat(times);',
    '}',
    '',
    `module.exports = { ${names.add}, ${names.clamp}, ${names.repeat} };`,
    '',
  ].join('\n');
}

/** One test file per function, so that each function's check passes or fails on its own. */
function testFiles(names: Package): Record<string, string> {
  const [a, b, low, high] = names.numbers as [number, number, number, number];
  const file = (name: string, assertions: string[]) =>
    [
      "const assert = require('node:assert/strict');",
      `const { ${name} } = require('./lib.js');`,
      '',
      ...assertions,
      `console.log('${name}: all tests passed');`,
      '',
    ].join('\n');
  return {
    [`test-${names.add}.js`]: file(names.add, [`assert.equal(${names.add}(${a}, ${b}), ${a + b});`]),
    [`test-${names.clamp}.js`]: file(names.clamp, [
      `assert.equal(${names.clamp}(${low - 3}, ${low}, ${high}), ${low});`,
      `assert.equal(${names.clamp}(${high + 7}, ${low}, ${high}), ${high});`,
      `assert.equal(${names.clamp}(${low + 1}, ${low}, ${high}), ${low + 1});`,
    ]),
    [`test-${names.repeat}.js`]: file(names.repeat, [
      `assert.equal(${names.repeat}('${names.word}', 3), '${names.word.repeat(3)}');`,
    ]),
  };
}

type Variant = {
  kind: SandboxCaseKind;
  subtle: boolean;
  /** the function it rewrites, if any: on a broken base only the fixes touch the broken one */
  touches: FunctionName | undefined;
  description: string;
  /** the function bodies it writes, or other files */
  build(names: Package): { bodies?: Bodies; files?: Record<string, string> };
};

const VARIANTS: readonly Variant[] = [
  {
    kind: 'keep',
    subtle: false,
    touches: 'add',
    description: 'names the sum in a local before returning it',
    build: () => ({ bodies: { add: '  const total = a + b;\n  return total;' } }),
  },
  {
    kind: 'keep',
    subtle: false,
    touches: undefined,
    description: 'adds a README',
    build: (names) => ({ files: { 'README.md': `# ${names.add}\n\nSmall helpers.\n` } }),
  },
  {
    kind: 'break',
    subtle: false,
    touches: 'add',
    description: 'subtracts instead of adding',
    build: () => ({ bodies: { add: '  return a - b;' } }),
  },
  {
    kind: 'break',
    subtle: false,
    touches: 'repeat',
    description: 'repeats one time too few',
    build: () => ({ bodies: { repeat: '  return text.repeat(Math.max(0, times - 1));' } }),
  },
  {
    kind: 'keep',
    subtle: true,
    touches: 'clamp',
    description: 'rewrites the clamp as explicit comparisons',
    build: () => ({
      bodies: { clamp: '  if (value < low) return low;\n  if (value > high) return high;\n  return value;' },
    }),
  },
  {
    kind: 'break',
    subtle: true,
    touches: 'clamp',
    description: 'moves the upper bound of the clamp by one',
    build: () => ({
      bodies: { clamp: '  if (value < low) return low;\n  if (value >= high) return high - 1;\n  return value;' },
    }),
  },
  {
    kind: 'fix',
    subtle: false,
    touches: 'repeat',
    description: 'repairs the repeat that repeated one time too few',
    build: () => ({ bodies: { repeat: '  return text.repeat(times);' } }),
  },
  {
    kind: 'fix',
    subtle: true,
    touches: 'repeat',
    description: 'rewrites the broken repeat as a join of copies',
    build: () => ({ bodies: { repeat: "  return Array.from({ length: times }, () => text).join('');" } }),
  },
];

/** The files a variant changes, on top of the base's function bodies. */
function changesOf(variant: Variant, names: Package, base: Bodies): SandboxCase['changes'] {
  const built = variant.build(names);
  const files = { ...(built.bodies ? { 'lib.js': library(names, { ...base, ...built.bodies }) } : {}), ...built.files };
  return Object.entries(files).map(([filePath, content]) => ({ file_path: filePath, code_after: content }));
}

/** The package and cases of one Sandbox custody test: the same (difficulty, seed) always gives the same. */
export function generateSandboxFixture(difficulty: Difficulty, seed: number): SandboxFixture {
  const profile = profileFor('sandbox', difficulty);
  const random = createRandom(subSeed(seed, `sandbox:${difficulty}`));
  const names = packageFor(random);
  const brokenBase = profile.obfuscation >= 2;
  const base = brokenBase ? BROKEN_BASE : {};
  const breaks = shareOf(profile.cases, profile.cleanShare);
  const fixes = brokenBase ? 1 : 0;
  const subtle = shareOf(profile.cases, profile.trickyShare);
  const kinds: SandboxCaseKind[] = random.shuffle([
    ...Array<SandboxCaseKind>(breaks).fill('break'),
    ...Array<SandboxCaseKind>(fixes).fill('fix'),
    ...Array<SandboxCaseKind>(profile.cases - breaks - fixes).fill('keep'),
  ]);
  let subtleLeft = subtle;
  const used = new Set<Variant>();
  const cases = kinds.map((kind, index) => {
    const wantSubtle = subtleLeft > 0 && (random.chance(0.5) || kinds.length - index <= subtleLeft);
    if (wantSubtle) subtleLeft -= 1;
    // On a broken base only a fix may touch the broken function: a keep or break of it would still fail.
    const fitting = VARIANTS.filter(
      (entry) =>
        entry.kind === kind &&
        entry.subtle === wantSubtle &&
        (!brokenBase || kind === 'fix' || entry.touches === undefined || !(entry.touches in base)),
    );
    const unused = fitting.filter((entry) => !used.has(entry));
    const variant = random.pick(unused.length > 0 ? unused : fitting);
    used.add(variant);
    return {
      id: `s${index + 1}`,
      kind,
      subtle: variant.subtle,
      description: variant.description,
      changes: changesOf(variant, names, base),
    };
  });
  const tests = testFiles(names);
  const commands = Object.keys(tests).map((file) => `node ${file}`);
  return {
    files: {
      'package.json': `${JSON.stringify({ name: `custody-${names.add}`, version: '1.0.0', private: true, scripts: { test: commands.join(' && ') } }, null, 2)}\n`,
      'lib.js': library(names, base),
      ...tests,
    },
    commands,
    brokenBase,
    cases,
  };
}

const IDENTITY = [
  '-c',
  'user.name=lvlup custody',
  '-c',
  'user.email=custody@lvlup.invalid',
  '-c',
  'commit.gpgsign=false',
];

/** Commits the package to a new repository in a temporary folder; answers it and its commit. */
async function commitPackage(
  files: Record<string, string>,
): Promise<{ folder: string; repository: string; commit: string }> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'lvlup-custody-sandbox-'));
  const repository = path.join(folder, 'package');
  const options = { cwd: folder, timeoutMs: 30_000 };
  await git(['init', '--quiet', '-b', 'main', repository], options);
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(repository, name), content);
  const inRepository = { ...options, cwd: repository };
  await git(['add', '--all'], inRepository);
  await git([...IDENTITY, 'commit', '--quiet', '-m', 'custody package'], inRepository);
  const commit = (await git(['rev-parse', 'HEAD'], inRepository)).stdout.trim();
  return { folder, repository, commit };
}

async function checksWith(
  service: SandboxService,
  repository: string,
  commit: string,
  commands: readonly string[],
  changes: SandboxCase['changes'],
  signal?: AbortSignal,
): Promise<SandboxCommandResult[]> {
  const workTree = await createWorkTree(repository, commit, service.workRoot);
  try {
    await writeChanges(workTree.path, changes);
    const run = await runChecks(service, {
      repositoryPath: repository,
      workTree: workTree.path,
      commands,
      limits: { wallTimeMs: 60_000 },
      signal,
    });
    return run.results;
  } finally {
    await workTree.dispose();
  }
}

function expectedVerdict(kind: SandboxCaseKind, brokenBase: boolean): SandboxVerdict {
  if (kind === 'break') return 'regression';
  if (kind === 'fix') return 'fixed';
  return brokenBase ? 'still-failing' : 'passed';
}

/** Runs the baseline once, then each case through Sandbox's pipeline, and compares the verdicts. */
export async function runSandboxCases(
  fixture: SandboxFixture,
  service: SandboxService,
  signal?: AbortSignal,
): Promise<CaseResult[]> {
  const { folder, repository, commit } = await commitPackage(fixture.files);
  try {
    const baseline = await checksWith(service, repository, commit, fixture.commands, [], signal);
    const results: CaseResult[] = [];
    for (const testCase of fixture.cases) {
      signal?.throwIfAborted();
      const expected = {
        verdict: expectedVerdict(testCase.kind, fixture.brokenBase),
        description: testCase.description,
        subtle: testCase.subtle,
      };
      try {
        const proposal = await checksWith(service, repository, commit, fixture.commands, testCase.changes, signal);
        const { verdict } = compareWithBaseline(baseline, proposal);
        results.push({
          id: testCase.id,
          kind: testCase.kind,
          expected,
          got: {
            verdict,
            isolation: service.availability.isolation,
            exit_codes: proposal.map((result) => result.exit_code),
            baseline_exit_codes: baseline.map((result) => result.exit_code),
          },
          correct: verdict === expected.verdict,
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        results.push({
          id: testCase.id,
          kind: testCase.kind,
          expected,
          got: { error: (error instanceof Error ? error.message : String(error)).slice(0, 300) },
          correct: false,
        });
      }
    }
    return results;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
