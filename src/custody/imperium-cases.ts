import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Compute } from '../compute/compute.js';
import type { Difficulty } from '../learning/xp.js';
import { profileFor, shareOf } from './difficulty.js';
import { type Names, namesFor, snake, type Template, JS_TEMPLATES, PY_TEMPLATES } from './imperium-case-templates.js';
import { createRandom, subSeed, type Random } from './random.js';
import type { CaseResult } from './types.js';

const run = promisify(execFile);

/**
 * Imperium's custody cases: complete programs that print what they compute, each with one known
 * improvement one of the engine's automatic rules should make (`opportunity`), or with a look-alike whose
 * precondition fails, which the rule must leave alone (`decoy`, from `advanced` on). The behaviour test is
 * the program itself: before and after are run (node, python3) and must print the same.
 */
export type ImperiumCaseKind = 'opportunity' | 'decoy';

export interface ImperiumCase {
  readonly id: string;
  readonly kind: ImperiumCaseKind;
  readonly filePath: string;
  readonly code: string;
  /** the rule that should change the program (opportunity) or must not (decoy) */
  readonly ruleId: string;
  readonly obfuscation: number;
}

const IMPERIUM_TEMPLATES: readonly Template[] = [...JS_TEMPLATES, ...PY_TEMPLATES];

/** Rules with a decoy variant (a look-alike whose precondition fails). */
const WITH_DECOY = new Set([
  'js.prefer-includes',
  'js.unused-variable',
  'js.unreachable-code',
  'py.set-membership',
  'py.unreachable-code',
  'py.string-join-in-loop',
]);

export const IMPERIUM_TEMPLATE_COUNT = IMPERIUM_TEMPLATES.length;

/** Unrelated code that obfuscation adds around the case (level ≥ 2), which no rule should touch. */
function noise(language: 'javascript' | 'python', names: Names, random: Random): string[] {
  const n = random.int(2, 9);
  return language === 'javascript'
    ? [`function ${names.other}Scale(x) {`, `  return x * ${n};`, '}', `console.log(${names.other}Scale(${n}));`]
    : [
        `def ${snake(names.other)}_scale(x):`,
        `    return x * ${n}`,
        '',
        '',
        `print(${snake(names.other)}_scale(${n}))`,
      ];
}

/** One case from one template, kind and obfuscation level. */
export function buildImperiumCase(
  templateIndex: number,
  kind: ImperiumCaseKind,
  level: number,
  random: Random,
  id: string,
): ImperiumCase {
  const template = IMPERIUM_TEMPLATES[templateIndex]!;
  const names = namesFor(random);
  const lines = template.build(names, kind, random);
  const separator = template.language === 'python' ? ['', ''] : [''];
  let program = lines;
  if (level >= 2) {
    const extra = noise(template.language, names, random);
    const imports = program.filter((line) => /^(import|from) /.test(line));
    const rest = program.slice(imports.length);
    // level 3: the unrelated code goes between the imports and the case
    program =
      level >= 3
        ? [
            ...imports,
            ...(imports.length ? separator : []),
            ...extra,
            ...separator,
            ...rest.filter((line, index) => index > 0 || line !== ''),
          ]
        : [...program, ...separator, ...extra];
  }
  const extension = template.language === 'javascript' ? 'mjs' : 'py';
  return {
    id,
    kind,
    filePath: `${random.pick(['src', 'lib', 'app', 'tools'])}/${snake(names.fn)}_${id}.${extension}`,
    code: `${program.join('\n')}\n`,
    ruleId: template.ruleId,
    obfuscation: level,
  };
}

/** The cases of one Imperium custody test: the same (difficulty, seed) always gives the same cases. */
export function generateImperiumCases(difficulty: Difficulty, seed: number): ImperiumCase[] {
  const profile = profileFor('imperium', difficulty);
  const random = createRandom(subSeed(seed, `imperium:${difficulty}`));
  const decoys = shareOf(profile.cases, profile.trickyShare);
  const kinds: ImperiumCaseKind[] = [
    ...Array<ImperiumCaseKind>(profile.cases - decoys).fill('opportunity'),
    ...Array<ImperiumCaseKind>(decoys).fill('decoy'),
  ];
  let deck: number[] = [];
  let decoyDeck: number[] = [];
  return random.shuffle(kinds).map((kind, index) => {
    if (deck.length === 0) deck = random.shuffle(IMPERIUM_TEMPLATES.map((_, position) => position));
    if (decoyDeck.length === 0) {
      decoyDeck = random.shuffle(
        IMPERIUM_TEMPLATES.flatMap((template, position) => (WITH_DECOY.has(template.ruleId) ? [position] : [])),
      );
    }
    const templateIndex = kind === 'decoy' ? decoyDeck.pop()! : deck.pop()!;
    const level = Math.max(0, profile.obfuscation - (random.chance(0.3) ? 1 : 0));
    return buildImperiumCase(templateIndex, kind, level, random, `i${index + 1}`);
  });
}

interface Execution {
  readonly ok: boolean;
  readonly output: string;
}

async function execute(
  folder: string,
  name: string,
  filePath: string,
  code: string,
  signal?: AbortSignal,
): Promise<Execution> {
  const python = filePath.endsWith('.py');
  const file = path.join(folder, `${name}${python ? '.py' : '.mjs'}`);
  await writeFile(file, code);
  try {
    const { stdout } = await run(python ? 'python3' : process.execPath, [file], {
      timeout: 15_000,
      cwd: folder,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1' },
      ...(signal ? { signal } : {}),
    });
    return { ok: true, output: stdout };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message?: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? failed.message ?? ''}` };
  }
}

const bounded = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

/**
 * Runs the engine on each case and the before/after programs, and judges: an opportunity is correct when
 * the expected rule changed the program and both versions run and print the same; a decoy when the rule
 * left it alone and whatever else changed still prints the same.
 */
export async function runImperiumCases(
  cases: readonly ImperiumCase[],
  compute: Compute,
  signal?: AbortSignal,
): Promise<CaseResult[]> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'lvlup-custody-imperium-'));
  try {
    const results: CaseResult[] = [];
    for (const testCase of cases) {
      signal?.throwIfAborted();
      const expected = {
        file_path: testCase.filePath,
        rule_id: testCase.ruleId,
        changed_by_rule: testCase.kind === 'opportunity',
        behaviour_preserved: true,
        obfuscation: testCase.obfuscation,
      };
      let result;
      try {
        result = await compute.optimize({ code: testCase.code, filePath: testCase.filePath }, { signal });
      } catch (error) {
        results.push({
          id: testCase.id,
          kind: testCase.kind,
          expected,
          got: { error: bounded(error instanceof Error ? error.message : String(error)) },
          correct: false,
        });
        continue;
      }
      const rules = [...new Set(result.changes.map((change) => change.rule_id))].sort();
      const changedByRule = rules.includes(testCase.ruleId);
      const changed = result.optimizedCode !== testCase.code;
      const [before, after] = await Promise.all([
        execute(folder, `${testCase.id}-before`, testCase.filePath, testCase.code, signal),
        changed
          ? execute(folder, `${testCase.id}-after`, testCase.filePath, result.optimizedCode, signal)
          : Promise.resolve(undefined),
      ]);
      const preserved = before.ok && (after === undefined || (after.ok && after.output === before.output));
      results.push({
        id: testCase.id,
        kind: testCase.kind,
        expected,
        got: {
          rules_applied: rules.slice(0, 10),
          changed_by_rule: changedByRule,
          behaviour_preserved: preserved,
          ...(preserved ? {} : { before: bounded(before.output), after: bounded(after?.output ?? '') }),
        },
        correct: preserved && changedByRule === (testCase.kind === 'opportunity'),
      });
    }
    return results;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
