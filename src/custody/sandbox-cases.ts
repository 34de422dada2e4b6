import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SandboxCommandResult } from '../db/schema.js';
import { git } from '../git/git.js';
import type { Difficulty } from '../learning/xp.js';
import { runChecks } from '../sandbox/run-checks.js';
import type { SandboxService } from '../sandbox/sandbox-service.js';
import { compareWithBaseline } from '../sandbox/verdict.js';
import { createWorkTree, writeChanges } from '../sandbox/work-tree.js';
import { profileFor, shareOf } from './difficulty.js';
import { createRandom, subSeed, type Random } from './random.js';
import type { CaseResult } from './types.js';

/**
 * Sandbox's custody cases: a small generated package (`package.json` whose test script is `node test.js`)
 * committed to a throw-away git repository, and proposals known to keep its tests passing (`keep`, expected
 * verdict `passed`) or to break them (`break`, expected `regression`). From `advanced` on, some are subtle:
 * a keep that rewrites a whole function, a break that only moves a boundary the tests check. The agent
 * under test is Sandbox's own pipeline: work tree, changes written, checks run in isolation, verdict
 * against the baseline.
 */
export type SandboxCaseKind = 'keep' | 'break';

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

function library(names: Package, overrides: Partial<Record<'add' | 'clamp' | 'repeat', string>> = {}): string {
  return [
    `function ${names.add}(a, b) {`,
    overrides.add ?? '  return a + b;',
    '}',
    '',
    `function ${names.clamp}(value, low, high) {`,
    overrides.clamp ?? '  return Math.min(Math.max(value, low), high);',
    '}',
    '',
    `function ${names.repeat}(text, times) {`,
    overrides.repeat ?? '  return text.repeat(times);',
    '}',
    '',
    `module.exports = { ${names.add}, ${names.clamp}, ${names.repeat} };`,
    '',
  ].join('\n');
}

function tests(names: Package): string {
  const [a, b, low, high] = names.numbers as [number, number, number, number];
  return [
    "const assert = require('node:assert/strict');",
    `const { ${names.add}, ${names.clamp}, ${names.repeat} } = require('./lib.js');`,
    '',
    `assert.equal(${names.add}(${a}, ${b}), ${a + b});`,
    `assert.equal(${names.clamp}(${low - 3}, ${low}, ${high}), ${low});`,
    `assert.equal(${names.clamp}(${high + 7}, ${low}, ${high}), ${high});`,
    `assert.equal(${names.clamp}(${low + 1}, ${low}, ${high}), ${low + 1});`,
    `assert.equal(${names.repeat}('${names.word}', 3), '${names.word.repeat(3)}');`,
    "console.log('all tests passed');",
    '',
  ].join('\n');
}

type Variant = {
  kind: SandboxCaseKind;
  subtle: boolean;
  description: string;
  build(names: Package): Record<string, string>;
};

const VARIANTS: readonly Variant[] = [
  {
    kind: 'keep',
    subtle: false,
    description: 'names the sum in a local before returning it',
    build: (names) => ({ 'lib.js': library(names, { add: '  const total = a + b;\n  return total;' }) }),
  },
  {
    kind: 'keep',
    subtle: false,
    description: 'adds a README',
    build: (names) => ({ 'README.md': `# ${names.add}\n\nSmall helpers.\n` }),
  },
  {
    kind: 'break',
    subtle: false,
    description: 'subtracts instead of adding',
    build: (names) => ({ 'lib.js': library(names, { add: '  return a - b;' }) }),
  },
  {
    kind: 'break',
    subtle: false,
    description: 'repeats one time too few',
    build: (names) => ({ 'lib.js': library(names, { repeat: '  return text.repeat(Math.max(0, times - 1));' }) }),
  },
  {
    kind: 'keep',
    subtle: true,
    description: 'rewrites the clamp as explicit comparisons',
    build: (names) => ({
      'lib.js': library(names, {
        clamp: '  if (value < low) return low;\n  if (value > high) return high;\n  return value;',
      }),
    }),
  },
  {
    kind: 'break',
    subtle: true,
    description: 'moves the upper bound of the clamp by one',
    build: (names) => ({
      'lib.js': library(names, {
        clamp: '  if (value < low) return low;\n  if (value >= high) return high - 1;\n  return value;',
      }),
    }),
  },
];

/** The package and cases of one Sandbox custody test: the same (difficulty, seed) always gives the same. */
export function generateSandboxFixture(difficulty: Difficulty, seed: number): SandboxFixture {
  const profile = profileFor('sandbox', difficulty);
  const random = createRandom(subSeed(seed, `sandbox:${difficulty}`));
  const names = packageFor(random);
  const breaks = shareOf(profile.cases, profile.cleanShare);
  const subtle = shareOf(profile.cases, profile.trickyShare);
  const kinds: SandboxCaseKind[] = random.shuffle([
    ...Array<SandboxCaseKind>(breaks).fill('break'),
    ...Array<SandboxCaseKind>(profile.cases - breaks).fill('keep'),
  ]);
  let subtleLeft = subtle;
  const used = new Set<Variant>();
  const cases = kinds.map((kind, index) => {
    const wantSubtle = subtleLeft > 0 && (random.chance(0.5) || kinds.length - index <= subtleLeft);
    if (wantSubtle) subtleLeft -= 1;
    const fitting = VARIANTS.filter((entry) => entry.kind === kind && entry.subtle === wantSubtle);
    const unused = fitting.filter((entry) => !used.has(entry));
    const variant = random.pick(unused.length > 0 ? unused : fitting);
    used.add(variant);
    return {
      id: `s${index + 1}`,
      kind,
      subtle: variant.subtle,
      description: variant.description,
      changes: Object.entries(variant.build(names)).map(([filePath, content]) => ({
        file_path: filePath,
        code_after: content,
      })),
    };
  });
  return {
    files: {
      'package.json': `${JSON.stringify({ name: `custody-${names.add}`, version: '1.0.0', private: true, scripts: { test: 'node test.js' } }, null, 2)}\n`,
      'lib.js': library(names),
      'test.js': tests(names),
    },
    commands: ['npm test'],
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

const expectedVerdict = (kind: SandboxCaseKind) => (kind === 'keep' ? 'passed' : 'regression');

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
        verdict: expectedVerdict(testCase.kind),
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
