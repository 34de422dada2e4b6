// `npm run bench:guardian` (2/2): Guardian's throughput on a ~100k-line mixed corpus, on one core, next to
// ESLint with eslint-plugin-security's recommended rules on the same JavaScript files.
//
// The corpus is real code, copied deterministically (sorted paths, fixed line budgets) into a temporary
// folder: JavaScript from installed packages (node_modules: fastify, pino, ioredis, pg, commander,
// cron-parser, diff, drizzle-orm, zod), TypeScript from this project's src/ (tests left out), Python from the
// local CPython standard library (/usr/lib/python3.*; skipped when absent) and the labeled snippets of
// bench/guardian-corpus/. Each tool runs in its own child process (so their peak memories are their own),
// one file after another on the single JavaScript thread: Guardian through analyzeCode with every rule
// (parsing included); ESLint through its Node API with a flat config enabling only
// security.configs.recommended (no type information, concurrency off, no cache). Times are wall-clock
// around the whole sequence after a warm-up that only loads grammars/plugins; CPU time (user + system) is
// reported next to it, so that a busy machine shows as wall > CPU. Peak memory is the child's
// resourceUsage().maxRSS (WebAssembly memory included) and the largest V8 heapUsed seen.
//
// The machine is shared, so the pair of runs is repeated (`--runs N`, default 3, alternating Guardian and
// ESLint) and medians are reported; the ratio is the median of the per-run ratios (each compares two
// measurements taken back to back). A scaling check analyses the labeled JavaScript/TypeScript snippets
// concatenated into one file of ~125 KB and of ~500 KB: linear analysis takes about 4 times as long on the
// larger one (measured in CPU time, which other processes disturb less than wall time).
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

export function buildCorpus(directory: string) {
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

interface LanguageStats {
  files: number;
  lines: number;
  seconds: number;
}

interface WorkerResult {
  files: number;
  lines: number;
  seconds: number;
  cpu_seconds: number;
  max_rss_mb: number;
  peak_heap_mb: number;
  by_language?: Record<string, LanguageStats>;
  scaling?: { small_kb: number; small_seconds: number; large_kb: number; large_seconds: number };
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

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

/** The labeled JavaScript/TypeScript snippets, repeated in order until `bytes`: one big file, many sinks. */
function concatenatedSnippets(bytes: number): string {
  const snippets = walk(path.join(import.meta.dirname, 'guardian-corpus'), (file) => /\.(js|ts)$/.test(file)).map(
    (file) => readFileSync(file, 'utf8'),
  );
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    for (const snippet of snippets) {
      parts.push(snippet);
      size += snippet.length + 1;
      if (size >= bytes) break;
    }
  }
  return parts.join('\n');
}

async function guardianWorker(directory: string): Promise<WorkerResult> {
  const { analyzeCode } = await import('../src/analysis/guardian/analyze.js');
  const { GUARDIAN_RULES } = await import('../src/analysis/guardian/rules.js');
  const { languageOfPath } = await import('../src/analysis/languages.js');
  const inputs = filesOf(directory).map((file) => ({ filePath: file, code: readFileSync(file, 'utf8') }));
  // Warm-up: loads the grammars' WASM (once per process) outside the measurement.
  for (const filePath of ['a.js', 'a.ts', 'a.tsx', 'a.py']) await analyzeCode({ code: '', filePath }, GUARDIAN_RULES);
  const byLanguage: Record<string, LanguageStats> = {};
  let findings = 0;
  let ruleErrors = 0;
  let peakHeap = 0;
  const ruleErrorSamples: string[] = [];
  const cpuStart = process.cpuUsage();
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
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = cpuSeconds(cpuStart);
  // CPU time: a ratio of two single-file measurements is what the check is about, and CPU time is less
  // disturbed than wall time by other processes on a shared machine.
  const timeOne = async (code: string) => {
    const at = process.cpuUsage();
    await analyzeCode({ code, filePath: 'scaling.ts' }, GUARDIAN_RULES);
    return cpuSeconds(at);
  };
  const small = concatenatedSnippets(125_000);
  const large = concatenatedSnippets(500_000);
  const scaling = {
    small_kb: Math.round(small.length / 1000),
    small_seconds: await timeOne(small),
    large_kb: Math.round(large.length / 1000),
    large_seconds: await timeOne(large),
  };
  return {
    files: inputs.length,
    lines: inputs.reduce((sum, input) => sum + countLines(input.code), 0),
    seconds,
    cpu_seconds: cpu,
    max_rss_mb: process.resourceUsage().maxRSS / 1024,
    peak_heap_mb: peakHeap / 2 ** 20,
    by_language: byLanguage,
    scaling,
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
  let peakHeap = 0;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 5);
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const results = await eslint.lintFiles(files);
  const seconds = (performance.now() - start) / 1000;
  const cpu = cpuSeconds(cpuStart);
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  return {
    files: results.length,
    lines: files.reduce((sum, file) => sum + countLines(readFileSync(file, 'utf8')), 0),
    seconds,
    cpu_seconds: cpu,
    max_rss_mb: process.resourceUsage().maxRSS / 1024,
    peak_heap_mb: peakHeap / 2 ** 20,
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

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const perSecond = (lines: number, seconds: number) => Math.round(lines / seconds);

export async function benchGuardianSpeed(runs = 3) {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'lvlup-guardian-speed-'));
  try {
    const { sources, stdlib } = buildCorpus(directory);
    const pairs: { guardian: WorkerResult; eslint: WorkerResult }[] = [];
    for (let run = 0; run < runs; run++) {
      pairs.push({ guardian: runWorker('guardian', directory), eslint: runWorker('eslint', directory) });
    }
    const guardian = pairs[0]!.guardian;
    const eslint = pairs[0]!.eslint;
    const languages = Object.keys(guardian.by_language!);
    const rates = pairs.map(({ guardian: g, eslint: e }) => {
      const js = g.by_language!.javascript!;
      const guardianJs = perSecond(js.lines, js.seconds);
      const eslintRate = perSecond(e.lines, e.seconds);
      return {
        guardian: perSecond(g.lines, g.seconds),
        guardian_cpu: perSecond(g.lines, g.cpu_seconds),
        guardian_javascript: guardianJs,
        by_language: Object.fromEntries(
          languages.map((language) => {
            const stats = g.by_language![language]!;
            return [language, perSecond(stats.lines, stats.seconds)];
          }),
        ),
        eslint: eslintRate,
        eslint_cpu: perSecond(e.lines, e.cpu_seconds),
        ratio: guardianJs / eslintRate,
        scaling: g.scaling!.large_seconds / g.scaling!.small_seconds,
      };
    });
    const medianOf = (pick: (rate: (typeof rates)[number]) => number) => median(rates.map(pick));
    const result = {
      guardian: Math.round(medianOf((r) => r.guardian)),
      guardian_cpu: Math.round(medianOf((r) => r.guardian_cpu)),
      guardian_javascript: Math.round(medianOf((r) => r.guardian_javascript)),
      by_language: Object.fromEntries(
        languages.map((language) => [language, Math.round(medianOf((r) => r.by_language[language]!))]),
      ),
      eslint: Math.round(medianOf((r) => r.eslint)),
      eslint_cpu: Math.round(medianOf((r) => r.eslint_cpu)),
      ratio: Math.round(medianOf((r) => r.ratio) * 100) / 100,
      scaling: Math.round(medianOf((r) => r.scaling) * 100) / 100,
      guardian_max_rss_mb: Math.round(median(pairs.map((p) => p.guardian.max_rss_mb))),
      guardian_peak_heap_mb: Math.round(median(pairs.map((p) => p.guardian.peak_heap_mb))),
      eslint_max_rss_mb: Math.round(median(pairs.map((p) => p.eslint.max_rss_mb))),
      eslint_peak_heap_mb: Math.round(median(pairs.map((p) => p.eslint.peak_heap_mb))),
      large_seconds: Math.round(median(pairs.map((p) => p.guardian.scaling!.large_seconds)) * 100) / 100,
    };

    console.log(
      `\nGuardian speed: ${guardian.files} files, ${guardian.lines} lines (JavaScript ${sources.javascript} from node_modules, ` +
        `TypeScript ${sources.typescript} from src/, Python ${sources.python} from ${stdlib ?? 'no local stdlib'}, ` +
        `${sources.snippets} from bench/guardian-corpus); one process per tool, files in sequence on one thread; ` +
        `${runs} runs on ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)} at the end\n`,
    );
    console.log(
      `${'corpus'.padEnd(34)} ${'files'.padStart(6)} ${'lines'.padStart(8)}   ${'lines/s per run (wall)'.padEnd(26)} ${'median'.padStart(8)}`,
    );
    const row = (name: string, files: number, lines: number, perRun: number[], value: number) =>
      console.log(
        `${name.padEnd(34)} ${String(files).padStart(6)} ${String(lines).padStart(8)}   ${perRun.join(' ').padEnd(26)} ${String(value).padStart(8)}`,
      );
    row(
      'Guardian, whole corpus',
      guardian.files,
      guardian.lines,
      rates.map((r) => r.guardian),
      result.guardian,
    );
    for (const language of languages) {
      const stats = guardian.by_language![language]!;
      row(
        `  ${language}`,
        stats.files,
        stats.lines,
        rates.map((r) => r.by_language[language]!),
        result.by_language[language]!,
      );
    }
    row(
      'ESLint + security (JavaScript)',
      eslint.files,
      eslint.lines,
      rates.map((r) => r.eslint),
      result.eslint,
    );
    console.log(
      `\nCPU time (user + system): Guardian ${result.guardian_cpu} lines/s, ESLint ${result.eslint_cpu} lines/s (medians)` +
        `\npeak memory: Guardian RSS ${result.guardian_max_rss_mb} MB, V8 heap ${result.guardian_peak_heap_mb} MB; ` +
        `ESLint RSS ${result.eslint_max_rss_mb} MB, V8 heap ${result.eslint_peak_heap_mb} MB` +
        `\nscaling (CPU time): one file of ${guardian.scaling!.small_kb} KB vs ${guardian.scaling!.large_kb} KB: ` +
        `${pairs.map((p) => `${p.guardian.scaling!.small_seconds.toFixed(2)} s / ${p.guardian.scaling!.large_seconds.toFixed(2)} s`).join(', ')}` +
        ` — ${result.scaling}x for ${(guardian.scaling!.large_kb / guardian.scaling!.small_kb).toFixed(1)}x the size (median)`,
    );
    console.log(
      `\nGuardian/ESLint on the same JavaScript files: ${result.ratio}x (median of per-run ratios; ` +
        `${result.guardian_javascript} vs ${result.eslint} lines/s); ` +
        `goal ≥ ${GOAL_LINES_PER_SECOND} lines/s: ${result.guardian >= GOAL_LINES_PER_SECOND ? 'met' : 'NOT met'} (${result.guardian})`,
    );
    console.log(
      `findings: Guardian ${guardian.findings} (rule errors ${guardian.rule_errors}), ESLint ${eslint.findings} ` +
        `(files with a fatal parse error: ${eslint.fatal_parse_errors})`,
    );
    for (const sample of guardian.rule_error_samples ?? []) console.log(`rule error: ${sample}`);

    writeResult('guardian-speed', {
      corpus: {
        ...sources,
        stdlib,
        total_lines: guardian.lines,
        files: guardian.files,
        by_language: Object.fromEntries(
          languages.map((language) => {
            const { files, lines } = guardian.by_language![language]!;
            return [language, { files, lines }];
          }),
        ),
      },
      goal_lines_per_second: GOAL_LINES_PER_SECOND,
      runs,
      load_average: os.loadavg(),
      median: result,
      guardian_runs: pairs.map((p) => p.guardian),
      eslint_runs: pairs.map((p) => ({ ...p.eslint, plugin: 'eslint-plugin-security (recommended)' })),
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
  const runsIndex = process.argv.indexOf('--runs');
  await benchGuardianSpeed(runsIndex === -1 ? 3 : Math.max(1, Number(process.argv[runsIndex + 1]) || 3));
}
