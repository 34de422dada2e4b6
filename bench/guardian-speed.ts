// `npm run bench:guardian` (2/2): Guardian's throughput on a ~100k-line mixed corpus, on one core, next to
// ESLint with eslint-plugin-security's recommended rules on the same JavaScript files.
//
// The corpus is real code, copied deterministically (sorted paths, fixed line budgets) into a temporary
// folder: JavaScript from installed packages (node_modules: fastify, pino, ioredis, pg, commander,
// cron-parser, diff, drizzle-orm), TypeScript from this project's src/ (tests left out), Python from the
// local CPython standard library (/usr/lib/python3.*; skipped when absent) and the labeled snippets of
// bench/guardian-corpus/. Each tool runs in its own child process (so their peak memories are their own),
// sequentially, one file after another: Guardian through analyzeCode with every rule; ESLint through its
// Node API with a flat config enabling only security.configs.recommended (no type information,
// concurrency off, no cache). Peak memory is the child's resourceUsage().maxRSS.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeResult } from './support.js';

const ROOT = path.join(import.meta.dirname, '..');
const GOAL_LINES_PER_SECOND = 20_000;
const BUDGET = { javascript: 55_000, typescript: 15_000, python: 28_000 };
const JS_SOURCES = [
  'fastify/lib',
  'fastify/fastify.js',
  'pino/lib',
  'pino/pino.js',
  'ioredis/built',
  'pg/lib',
  'commander/lib',
  'cron-parser/dist',
  'diff/lib',
  'drizzle-orm/pg-core',
  'drizzle-orm/sqlite-core',
  'zod/v3',
].map((source) => path.join(ROOT, 'node_modules', source));
const MAX_FILE_LINES = 4000; // leaves out bundles

const countLines = (text: string) => text.split('\n').length;

function walk(entry: string, accept: (file: string) => boolean): string[] {
  if (!existsSync(entry)) return [];
  if (statSync(entry).isFile()) return accept(entry) ? [entry] : [];
  return readdirSync(entry, { recursive: true })
    .map((relative) => path.join(entry, String(relative)))
    .filter((file) => statSync(file).isFile() && accept(file) && !/[\\/](test|tests|__tests__)[\\/]/.test(file))
    .sort();
}

/** Copies files into `target` (flattened, numbered) until `budget` lines; returns the lines copied. */
function take(files: readonly string[], budget: number, target: string, prefix: string): number {
  let lines = 0;
  let index = 0;
  for (const file of files) {
    if (lines >= budget) break;
    const text = readFileSync(file, 'utf8');
    const count = countLines(text);
    if (count > MAX_FILE_LINES) continue;
    // ES modules shipped as .js get .mjs, so that both tools parse them as modules.
    const esm = file.endsWith('.js') && /^\s*(import|export)\s/m.test(text);
    const name = `${prefix}-${String(index++).padStart(4, '0')}-${path.basename(file, esm ? '.js' : undefined)}${esm ? '.mjs' : ''}`;
    copyFileSync(file, path.join(target, name));
    lines += count;
  }
  return lines;
}

function buildCorpus(directory: string) {
  const js = path.join(directory, 'js');
  const ts = path.join(directory, 'ts');
  const py = path.join(directory, 'py');
  for (const folder of [js, ts, py]) mkdirSync(folder, { recursive: true });
  const isPlainJs = (file: string) => /\.(c|m)?js$/.test(file) && !file.endsWith('.min.js');
  const sources = {
    javascript: take(
      JS_SOURCES.flatMap((source) => walk(source, isPlainJs)),
      BUDGET.javascript,
      js,
      'npm',
    ),
    typescript: take(
      walk(path.join(ROOT, 'src'), (file) => /\.tsx?$/.test(file) && !file.endsWith('.test.ts')),
      BUDGET.typescript,
      ts,
      'src',
    ),
    python: 0,
    snippets: 0,
  };
  const stdlib = readdirSync('/usr/lib', { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^python3\.\d+$/.test(entry.name))
    .map((entry) => path.join('/usr/lib', entry.name))
    .sort()
    .at(-1);
  if (stdlib) {
    const files = readdirSync(stdlib)
      .filter((name) => name.endsWith('.py'))
      .sort()
      .map((name) => path.join(stdlib, name));
    sources.python = take(files, BUDGET.python, py, 'stdlib');
  }
  const snippets = walk(path.join(import.meta.dirname, 'guardian-corpus'), () => true);
  for (const [index, file] of snippets.entries()) {
    const folder = file.endsWith('.py') ? py : /\.tsx?$/.test(file) ? ts : js;
    copyFileSync(file, path.join(folder, `snippet-${String(index).padStart(4, '0')}-${path.basename(file)}`));
    sources.snippets += countLines(readFileSync(file, 'utf8'));
  }
  return { sources, stdlib: stdlib ?? null };
}

interface WorkerResult {
  files: number;
  lines: number;
  seconds: number;
  max_rss_mb: number;
  by_language?: Record<string, { files: number; lines: number; seconds: number }>;
  fatal_parse_errors?: number;
  findings?: number;
  rule_errors?: number;
  rule_error_samples?: string[];
}

const filesOf = (directory: string) =>
  readdirSync(directory, { recursive: true })
    .map((relative) => path.join(directory, String(relative)))
    .filter((file) => statSync(file).isFile())
    .sort();

async function guardianWorker(directory: string): Promise<WorkerResult> {
  const { analyzeCode } = await import('../src/agents/guardian/analyzer/analyze.js');
  const { GUARDIAN_RULES } = await import('../src/agents/guardian/analyzer/rules.js');
  const { languageOfPath } = await import('../src/agents/guardian/analyzer/languages.js');
  const inputs = filesOf(directory).map((file) => ({ filePath: file, code: readFileSync(file, 'utf8') }));
  // Warm-up: loads the grammars' WASM (once per process) outside the measurement.
  for (const filePath of ['a.js', 'a.ts', 'a.tsx', 'a.py']) await analyzeCode({ code: '', filePath }, GUARDIAN_RULES);
  const byLanguage: Record<string, { files: number; lines: number; seconds: number }> = {};
  let findings = 0;
  let ruleErrors = 0;
  const ruleErrorSamples: string[] = [];
  const start = performance.now();
  for (const input of inputs) {
    const language = languageOfPath(input.filePath)!;
    const fileStart = performance.now();
    findings += (
      await analyzeCode(input, GUARDIAN_RULES, {
        onRuleError: (ruleId, error) => {
          ruleErrors += 1;
          if (ruleErrorSamples.length < 5)
            ruleErrorSamples.push(`${path.basename(input.filePath)}: ${ruleId}: ${String(error)}`);
        },
      })
    ).length;
    const stats = (byLanguage[language] ??= { files: 0, lines: 0, seconds: 0 });
    stats.files += 1;
    stats.lines += countLines(input.code);
    stats.seconds += (performance.now() - fileStart) / 1000;
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    files: inputs.length,
    lines: inputs.reduce((sum, input) => sum + countLines(input.code), 0),
    seconds,
    max_rss_mb: process.resourceUsage().maxRSS / 1024,
    by_language: byLanguage,
    findings,
    rule_errors: ruleErrors,
    rule_error_samples: ruleErrorSamples,
  };
}

async function eslintWorker(directory: string): Promise<WorkerResult> {
  const { ESLint } = await import('eslint');
  const { default: security } = await import('eslint-plugin-security');
  const files = filesOf(path.join(directory, 'js'));
  const eslint = new ESLint({
    cwd: directory,
    overrideConfigFile: true,
    cache: false,
    concurrency: 'off',
    overrideConfig: [
      {
        files: ['**/*.js', '**/*.cjs'],
        languageOptions: { ecmaVersion: 'latest', sourceType: 'commonjs' },
      },
      { files: ['**/*.mjs'], languageOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
      { plugins: { security }, rules: security.configs.recommended.rules },
    ],
  });
  // Warm-up: loads the plugin and resolves the configuration outside the measurement.
  await eslint.lintText('const a = 1;\n', { filePath: path.join(directory, 'js', 'warm-up.js') });
  const start = performance.now();
  const results = await eslint.lintFiles(files);
  const seconds = (performance.now() - start) / 1000;
  return {
    files: results.length,
    lines: files.reduce((sum, file) => sum + countLines(readFileSync(file, 'utf8')), 0),
    seconds,
    max_rss_mb: process.resourceUsage().maxRSS / 1024,
    fatal_parse_errors: results.filter((result) => result.messages.some((message) => message.fatal)).length,
    findings: results.reduce((sum, result) => sum + result.messages.length, 0),
  };
}

function runWorker(kind: 'guardian' | 'eslint', directory: string): WorkerResult {
  const output = execFileSync(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'guardian-speed.ts'), '--worker', kind, directory],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(output.trim().split('\n').at(-1)!) as WorkerResult;
}

export async function benchGuardianSpeed() {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'lvlup-guardian-speed-'));
  try {
    const { sources, stdlib } = buildCorpus(directory);
    const guardian = runWorker('guardian', directory);
    const eslint = runWorker('eslint', directory);
    const perSecond = (lines: number, seconds: number) => Math.round(lines / seconds);
    const guardianJs = guardian.by_language!.javascript!;
    const guardianRate = perSecond(guardian.lines, guardian.seconds);
    const guardianJsRate = perSecond(guardianJs.lines, guardianJs.seconds);
    const eslintRate = perSecond(eslint.lines, eslint.seconds);
    const ratio = Math.round((guardianJsRate / eslintRate) * 100) / 100;

    console.log(
      `\nGuardian speed: ${guardian.files} files, ${guardian.lines} lines (JavaScript ${sources.javascript} from node_modules, ` +
        `TypeScript ${sources.typescript} from src/, Python ${sources.python} from ${stdlib ?? 'no local stdlib'}, ` +
        `${sources.snippets} from bench/guardian-corpus); one process, files in sequence\n`,
    );
    console.log(
      `${'run'.padEnd(34)} ${'files'.padStart(6)} ${'lines'.padStart(8)} ${'seconds'.padStart(8)} ${'lines/s'.padStart(9)} ${'peak RSS'.padStart(9)}`,
    );
    const row = (name: string, files: number, lines: number, seconds: number, rss?: number) =>
      console.log(
        `${name.padEnd(34)} ${String(files).padStart(6)} ${String(lines).padStart(8)} ${seconds.toFixed(2).padStart(8)} ` +
          `${String(perSecond(lines, seconds)).padStart(9)} ${rss === undefined ? '' : `${rss.toFixed(0).padStart(6)} MB`}`,
      );
    row('Guardian, whole corpus', guardian.files, guardian.lines, guardian.seconds, guardian.max_rss_mb);
    for (const [language, stats] of Object.entries(guardian.by_language!))
      row(`  ${language}`, stats.files, stats.lines, stats.seconds);
    row('ESLint + security (JavaScript)', eslint.files, eslint.lines, eslint.seconds, eslint.max_rss_mb);
    console.log(
      `\nGuardian/ESLint on the same JavaScript files: ${ratio}x (${guardianJsRate} vs ${eslintRate} lines/s); ` +
        `goal ≥ ${GOAL_LINES_PER_SECOND} lines/s: ${guardianRate >= GOAL_LINES_PER_SECOND ? 'met' : 'NOT met'} (${guardianRate})`,
    );
    console.log(
      `findings: Guardian ${guardian.findings} (rule errors ${guardian.rule_errors}), ESLint ${eslint.findings} ` +
        `(files with a fatal parse error: ${eslint.fatal_parse_errors})`,
    );
    for (const sample of guardian.rule_error_samples ?? []) console.log(`rule error: ${sample}`);

    writeResult('guardian-speed', {
      corpus: { ...sources, stdlib, total_lines: guardian.lines, files: guardian.files },
      goal_lines_per_second: GOAL_LINES_PER_SECOND,
      guardian: { ...guardian, lines_per_second: guardianRate, javascript_lines_per_second: guardianJsRate },
      eslint: { ...eslint, lines_per_second: eslintRate, plugin: 'eslint-plugin-security (recommended)' },
      guardian_to_eslint_ratio: ratio,
    });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const workerIndex = process.argv.indexOf('--worker');
if (workerIndex !== -1) {
  const kind = process.argv[workerIndex + 1];
  const directory = process.argv[workerIndex + 2]!;
  const result = kind === 'eslint' ? await eslintWorker(directory) : await guardianWorker(directory);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  await benchGuardianSpeed();
}
