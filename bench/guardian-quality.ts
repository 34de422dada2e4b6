// `npm run bench:guardian` (1/2): Guardian's precision and recall on bench/guardian-corpus/.
// Every snippet starts with a label comment, `// expect: vulnerable <class> <CWE>` or
// `// expect: safe <class> <CWE>` (`#` in Python). A vulnerable snippet counts a true positive for its
// class when Guardian reports a finding of that class on it, else a false negative; a safe twin counts a
// false positive for the class it twins when Guardian reports a finding of that class on it. Findings of
// other classes are listed (incidental), not scored. A class is an analyzer issue type.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeCode } from '../src/analysis/guardian/analyze.js';
import type { Finding } from '../src/analysis/guardian/finding.js';
import { GUARDIAN_RULES } from '../src/analysis/guardian/rules.js';
import { writeResult } from './support.js';

export const CORPUS = path.join(import.meta.dirname, 'guardian-corpus');
const GOAL = { precision: 0.9, recall: 0.8 };

export interface Snippet {
  readonly file: string;
  readonly label: 'vulnerable' | 'safe';
  readonly cls: string;
  readonly cwe: string;
  readonly code: string;
}

export function loadCorpus(root = CORPUS): Snippet[] {
  const snippets: Snippet[] = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const code = readFileSync(file, 'utf8');
    const match = /^(?:\/\/|#)\s*expect:\s*(vulnerable|safe)\s+(\w+)\s+(CWE-\d+)/.exec(code);
    if (!match) throw new Error(`${file}: no "expect:" label on the first line`);
    snippets.push({
      file: path.relative(root, file),
      label: match[1] as Snippet['label'],
      cls: match[2]!,
      cwe: match[3]!,
      code,
    });
  }
  return snippets.sort((a, b) => a.file.localeCompare(b.file));
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}
const ratio = (numerator: number, denominator: number) => (denominator === 0 ? NaN : numerator / denominator);
function scores({ tp, fp, fn }: Counts) {
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const f1 = ratio(2 * precision * recall, precision + recall);
  return { precision, recall, f1, support: tp + fn };
}
const fmt = (value: number) => (Number.isNaN(value) ? '  -  ' : value.toFixed(3));
const round = (value: number) => (Number.isNaN(value) ? null : Math.round(value * 1000) / 1000);

const describe = (findings: readonly Finding[]) =>
  findings.map((finding) => `${finding.issue_type}@${finding.line}(${finding.rule_id})`).join(', ') || 'nothing';

export async function benchGuardianQuality() {
  const snippets = loadCorpus();
  const perClass = new Map<string, Counts>();
  const misses: { file: string; kind: 'false_negative' | 'false_positive'; expected: string; got: string }[] = [];
  const incidental: { file: string; got: string }[] = [];
  const ruleErrors: string[] = [];
  const languages = new Map<string, number>();
  for (const snippet of snippets) {
    const extension = path.extname(snippet.file);
    languages.set(extension, (languages.get(extension) ?? 0) + 1);
    const counts = perClass.get(snippet.cls) ?? { tp: 0, fp: 0, fn: 0, tn: 0 };
    perClass.set(snippet.cls, counts);
    const findings = await analyzeCode({ code: snippet.code, filePath: snippet.file }, GUARDIAN_RULES, {
      onRuleError: (ruleId, error) => ruleErrors.push(`${snippet.file}: ${ruleId}: ${String(error)}`),
    });
    const ofClass = findings.filter((finding) => finding.issue_type === snippet.cls);
    const others = findings.filter((finding) => finding.issue_type !== snippet.cls);
    if (others.length > 0) incidental.push({ file: snippet.file, got: describe(others) });
    if (snippet.label === 'vulnerable') {
      if (ofClass.length > 0) counts.tp += 1;
      else {
        counts.fn += 1;
        misses.push({ file: snippet.file, kind: 'false_negative', expected: snippet.cls, got: describe(findings) });
      }
    } else if (ofClass.length > 0) {
      counts.fp += 1;
      misses.push({ file: snippet.file, kind: 'false_positive', expected: 'none', got: describe(ofClass) });
    } else counts.tn += 1;
  }

  const total: Counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  const rows = [...perClass.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cls, counts]) => {
      for (const key of ['tp', 'fp', 'fn', 'tn'] as const) total[key] += counts[key];
      return { class: cls, ...counts, ...scores(counts) };
    });
  const micro = { ...total, ...scores(total) };
  const macro = {
    precision: rows.reduce((sum, row) => sum + (Number.isNaN(row.precision) ? 0 : row.precision), 0) / rows.length,
    recall: rows.reduce((sum, row) => sum + row.recall, 0) / rows.length,
  };

  console.log(
    `\nGuardian quality on bench/guardian-corpus: ${snippets.length} snippets ` +
      `(${[...languages].map(([extension, count]) => `${count} ${extension}`).join(', ')}), ` +
      `${GUARDIAN_RULES.length} rules\n`,
  );
  const header = `${'class'.padEnd(28)} ${'P'.padStart(6)} ${'R'.padStart(6)} ${'F1'.padStart(6)} ${'supp'.padStart(5)}   TP  FP  FN  TN`;
  console.log(header);
  console.log('-'.repeat(header.length));
  const line = (name: string, row: ReturnType<typeof scores> & Counts) =>
    console.log(
      `${name.padEnd(28)} ${fmt(row.precision).padStart(6)} ${fmt(row.recall).padStart(6)} ${fmt(row.f1).padStart(6)} ` +
        `${String(row.support).padStart(5)} ${[row.tp, row.fp, row.fn, row.tn].map((n) => String(n).padStart(4)).join('')}`,
    );
  for (const row of rows) line(row.class, row);
  console.log('-'.repeat(header.length));
  line('micro average', micro);
  console.log(`${'macro average'.padEnd(28)} ${fmt(macro.precision).padStart(6)} ${fmt(macro.recall).padStart(6)}`);
  const meets = { precision: micro.precision >= GOAL.precision, recall: micro.recall >= GOAL.recall };
  console.log(
    `\ngoal: precision ≥ ${GOAL.precision} (${meets.precision ? 'met' : 'NOT met'}: ${fmt(micro.precision)}), ` +
      `recall ≥ ${GOAL.recall} (${meets.recall ? 'met' : 'NOT met'}: ${fmt(micro.recall)})`,
  );
  if (misses.length > 0) {
    console.log(`\nmisses (${misses.length}):`);
    for (const miss of misses)
      console.log(
        `  ${miss.kind === 'false_negative' ? 'FN' : 'FP'} ${miss.file}: expected ${miss.expected}, got ${miss.got}`,
      );
  }
  if (incidental.length > 0) {
    console.log(`\nfindings of other classes (not scored, ${incidental.length} snippets):`);
    for (const item of incidental) console.log(`  ${item.file}: ${item.got}`);
  }
  if (ruleErrors.length > 0) {
    console.log(`\nrule errors (${ruleErrors.length}):`);
    for (const error of ruleErrors) console.log(`  ${error}`);
  }

  writeResult('guardian-quality', {
    corpus: 'bench/guardian-corpus',
    snippets: snippets.length,
    languages: Object.fromEntries(languages),
    goal: GOAL,
    meets,
    micro: {
      ...total,
      precision: round(micro.precision),
      recall: round(micro.recall),
      f1: round(micro.f1),
      support: micro.support,
    },
    macro: { precision: round(macro.precision), recall: round(macro.recall) },
    classes: rows.map((row) => ({
      ...row,
      precision: round(row.precision),
      recall: round(row.recall),
      f1: round(row.f1),
    })),
    misses,
    incidental,
    rule_errors: ruleErrors,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await benchGuardianQuality();
