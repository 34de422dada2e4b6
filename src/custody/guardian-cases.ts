import type { Compute } from '../compute/compute.js';
import type { Finding } from '../analysis/guardian/finding.js';
import type { Difficulty } from '../learning/xp.js';
import { profileFor, shareOf } from './difficulty.js';
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

const SINK = '\u27easink\u27eb';

interface Names {
  readonly variable: string;
  readonly helper: string;
  readonly field: string;
  readonly table: string;
  readonly route: string;
  readonly alias: string;
  readonly noise: string;
  readonly number: number;
}

const VARIABLES = ['userId', 'account', 'needle', 'handle', 'slug', 'ref', 'term', 'target', 'entry', 'item'];
const HELPERS = ['compose', 'prepare', 'assemble', 'buildText', 'render', 'shape', 'makeLine', 'joinParts'];
const FIELDS = ['id', 'q', 'name', 'term', 'host', 'file', 'next', 'expr', 'user', 'key'];
const TABLES = ['users', 'orders', 'accounts', 'items', 'events', 'sessions'];
const ROUTES = ['/lookup', '/search', '/find', '/report', '/status', '/detail', '/view'];
const ALIASES = ['input', 'params', 'incoming', 'source', 'data'];
const NOISE = ['tally', 'scale', 'blend', 'measure', 'weigh', 'mix'];

function namesFor(random: Random): Names {
  return {
    variable: random.pick(VARIABLES),
    helper: random.pick(HELPERS),
    field: random.pick(FIELDS),
    table: random.pick(TABLES),
    route: random.pick(ROUTES),
    alias: random.pick(ALIASES),
    noise: random.pick(NOISE),
    number: random.int(2, 97),
  };
}

const snake = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

type Variant = 'vulnerable' | 'clean' | 'tricky';

interface Template {
  readonly family: string;
  readonly language: 'javascript' | 'python';
  /** the lines of the handler's body after the value is read into `v`; `wrap` is the helper at level ≥ 2 */
  build(names: Names, variant: Variant, level: number): { imports: string[]; body: string[]; helper?: string[] };
}

// ---------------------------------------------------------------------------------------------- JavaScript

/** How the handler reads the request value into a local, by obfuscation level. */
function jsSource(names: Names, level: number): { lines: string[]; value: string } {
  const { variable, field, alias } = names;
  if (level === 0) return { lines: [], value: `req.query.${field}` };
  if (level === 1) return { lines: [`  const ${variable} = req.query.${field};`], value: variable };
  if (level === 2) return { lines: [`  const { ${field}: ${variable} } = req.body;`], value: variable };
  return { lines: [`  const ${alias} = req.query;`, `  const ${variable} = ${alias}.${field};`], value: variable };
}

/** A helper (level ≥ 2) that builds the text from the value: `prefix + value`. */
function jsHelper(names: Names, prefix: string, suffix = ''): string[] {
  return [
    `function ${names.helper}(part) {`,
    `  return ${JSON.stringify(prefix)} + part${suffix ? ` + ${JSON.stringify(suffix)}` : ''};`,
    '}',
  ];
}

function jsConcat(
  names: Names,
  level: number,
  value: string,
  prefix: string,
  suffix = '',
): { expr: string; helper?: string[] } {
  if (level >= 2) return { expr: `${names.helper}(${value})`, helper: jsHelper(names, prefix, suffix) };
  if (level === 1) {
    const escaped = (text: string) => text.replace(/[`$\\]/g, '\\$&');
    return { expr: `\`${escaped(prefix)}\${${value}}${escaped(suffix)}\`` };
  }
  return { expr: `${JSON.stringify(prefix)} + ${value}${suffix ? ` + ${JSON.stringify(suffix)}` : ''}` };
}

const JS_TEMPLATES: readonly Template[] = [
  {
    family: 'sql_injection',
    language: 'javascript',
    build(names, variant, level) {
      const source = jsSource(names, level);
      const imports = ["const db = require('./db');"];
      if (variant === 'vulnerable') {
        const sql = jsConcat(names, level, source.value, `SELECT * FROM ${names.table} WHERE ${names.field} = '`, "'");
        return {
          imports,
          body: [...source.lines, `  const rows = await db.query(${sql.expr});${SINK}`, '  res.json(rows);'],
          helper: sql.helper,
        };
      }
      const query =
        variant === 'tricky'
          ? `'SELECT * FROM ${names.table} WHERE ${names.field} = $1 ORDER BY ' + 'created_at'`
          : `'SELECT * FROM ${names.table} WHERE ${names.field} = $1'`;
      return {
        imports,
        body: [...source.lines, `  const rows = await db.query(${query}, [${source.value}]);`, '  res.json(rows);'],
      };
    },
  },
  {
    family: 'command_injection',
    language: 'javascript',
    build(names, variant, level) {
      const source = jsSource(names, level);
      const imports = ["const { exec, execFile } = require('child_process');"];
      if (variant === 'vulnerable') {
        const command = jsConcat(names, level, source.value, 'ping -c 1 ');
        return {
          imports,
          body: [...source.lines, `  exec(${command.expr}, (error, output) => res.send(output));${SINK}`],
          helper: command.helper,
        };
      }
      if (variant === 'tricky') {
        return {
          imports,
          body: [
            ...source.lines,
            `  exec('uptime', (error, output) => res.send(String(output) + ${source.value}.length));`,
          ],
        };
      }
      return {
        imports,
        body: [
          ...source.lines,
          `  execFile('ping', ['-c', '1', ${source.value}], (error, output) => res.send(output));`,
        ],
      };
    },
  },
  {
    family: 'code_injection',
    language: 'javascript',
    build(names, variant, level) {
      const source = jsSource(names, level);
      if (variant === 'vulnerable') {
        const code = jsConcat(names, level, source.value, 'return ');
        return {
          imports: [],
          body: [...source.lines, `  const result = new Function(${code.expr})();${SINK}`, '  res.json({ result });'],
          helper: code.helper,
        };
      }
      const parse = variant === 'tricky' ? `Number.parseFloat(${source.value})` : `JSON.parse(${source.value})`;
      return { imports: [], body: [...source.lines, `  const result = ${parse};`, '  res.json({ result });'] };
    },
  },
  {
    family: 'open_redirect',
    language: 'javascript',
    build(names, variant, level) {
      const source = jsSource(names, level);
      if (variant === 'vulnerable') {
        return { imports: [], body: [...source.lines, `  res.redirect(${source.value});${SINK}`] };
      }
      const target =
        variant === 'tricky' ? `'/${names.table}/' + encodeURIComponent(${source.value})` : `'/${names.table}'`;
      return { imports: [], body: [...source.lines, `  res.redirect(${target});`] };
    },
  },
  {
    family: 'path_traversal',
    language: 'javascript',
    build(names, variant, level) {
      const source = jsSource(names, level);
      const imports = ["const fs = require('fs');", "const path = require('path');"];
      const file =
        variant === 'vulnerable'
          ? source.value
          : variant === 'tricky'
            ? `path.basename(${source.value})`
            : `'index.html'`;
      return {
        imports,
        body: [
          ...source.lines,
          `  fs.readFile(path.join(__dirname, 'files', ${file}), (error, data) => res.send(data));${variant === 'vulnerable' ? SINK : ''}`,
        ],
      };
    },
  },
  {
    family: 'weak_crypto',
    language: 'javascript',
    build(names, variant, level) {
      const source = jsSource(names, level);
      const algorithm = variant === 'vulnerable' ? 'md5' : 'sha256';
      return {
        imports: ["const crypto = require('crypto');"],
        body: [
          ...source.lines,
          `  const digest = crypto.createHash('${algorithm}').update(String(${source.value})).digest('hex');${variant === 'vulnerable' ? SINK : ''}`,
          '  res.json({ digest });',
        ],
      };
    },
  },
];

function jsProgram(template: Template, names: Names, variant: Variant, level: number, random: Random): string {
  const { imports, body, helper } = template.build(names, variant, level);
  const handler = [`app.get('${names.route}', async (req, res) => {`, ...body, '});'];
  const noise = level >= 3 ? [`function ${names.noise}(a, b) {`, `  return a * b + ${names.number};`, '}', ''] : [];
  const parts: string[][] = [];
  if (helper) parts.push(helper, ['']);
  parts.push(handler);
  const beforeHandler = level >= 3 && random.chance(0.5);
  return [
    "const express = require('express');",
    ...imports,
    '',
    'const app = express();',
    '',
    ...(beforeHandler ? noise : []),
    ...parts.flat(),
    '',
    ...(beforeHandler ? [] : noise),
    `app.listen(${3000 + names.number});`,
    '',
  ].join('\n');
}

// ------------------------------------------------------------------------------------------------- Python

function pySource(names: Names, level: number): { lines: string[]; value: string } {
  const variable = snake(names.variable);
  const { field, alias } = names;
  if (level === 0) return { lines: [], value: `request.args.get('${field}')` };
  if (level === 1) return { lines: [`    ${variable} = request.args.get('${field}')`], value: variable };
  if (level === 2) return { lines: [`    ${variable} = request.form['${field}']`], value: variable };
  return { lines: [`    ${alias} = request.args`, `    ${variable} = ${alias}.get('${field}')`], value: variable };
}

function pyConcat(
  names: Names,
  level: number,
  value: string,
  prefix: string,
  suffix = '',
): { expr: string; helper?: string[] } {
  const helperName = snake(names.helper);
  if (level >= 2) {
    return {
      expr: `${helperName}(${value})`,
      helper: [
        `def ${helperName}(part):`,
        `    return ${JSON.stringify(prefix)} + part${suffix ? ` + ${JSON.stringify(suffix)}` : ''}`,
      ],
    };
  }
  if (level === 1) {
    const escaped = (text: string) => text.replace(/[{}]/g, '$&$&');
    return { expr: `f${JSON.stringify(`${escaped(prefix)}{${value}}${escaped(suffix)}`)}` };
  }
  return { expr: `${JSON.stringify(prefix)} + ${value}${suffix ? ` + ${JSON.stringify(suffix)}` : ''}` };
}

const PY_TEMPLATES: readonly Template[] = [
  {
    family: 'sql_injection',
    language: 'python',
    build(names, variant, level) {
      const source = pySource(names, level);
      const imports = ['import sqlite3'];
      const open = [`    connection = sqlite3.connect('${names.table}.db')`, '    cursor = connection.cursor()'];
      if (variant === 'vulnerable') {
        const sql = pyConcat(names, level, source.value, `SELECT * FROM ${names.table} WHERE ${names.field} = '`, "'");
        return {
          imports,
          body: [
            ...source.lines,
            ...open,
            `    cursor.execute(${sql.expr})${SINK}`,
            '    return str(cursor.fetchall())',
          ],
          helper: sql.helper,
        };
      }
      const query =
        variant === 'tricky'
          ? `"SELECT * FROM ${names.table} WHERE ${names.field} = ? ORDER BY " + "created_at"`
          : `"SELECT * FROM ${names.table} WHERE ${names.field} = ?"`;
      return {
        imports,
        body: [
          ...source.lines,
          ...open,
          `    cursor.execute(${query}, (${source.value},))`,
          '    return str(cursor.fetchall())',
        ],
      };
    },
  },
  {
    family: 'command_injection',
    language: 'python',
    build(names, variant, level) {
      const source = pySource(names, level);
      const imports = ['import subprocess'];
      if (variant === 'vulnerable') {
        const command = pyConcat(names, level, source.value, 'ping -c 1 ');
        return {
          imports,
          body: [...source.lines, `    return subprocess.check_output(${command.expr}, shell=True)${SINK}`],
          helper: command.helper,
        };
      }
      if (variant === 'tricky') {
        return {
          imports,
          body: [
            ...source.lines,
            `    return subprocess.check_output('uptime', shell=True) + str(len(${source.value})).encode()`,
          ],
        };
      }
      return {
        imports,
        body: [...source.lines, `    return subprocess.check_output(['ping', '-c', '1', ${source.value}])`],
      };
    },
  },
  {
    family: 'code_injection',
    language: 'python',
    build(names, variant, level) {
      const source = pySource(names, level);
      if (variant === 'vulnerable') {
        const code = level >= 2 ? pyConcat(names, level, source.value, '(', ')') : { expr: source.value };
        return {
          imports: [],
          body: [...source.lines, `    return str(eval(${code.expr}))${SINK}`],
          helper: code.helper,
        };
      }
      const parse = variant === 'tricky' ? `ast.literal_eval(${source.value})` : `int(${source.value})`;
      return {
        imports: variant === 'tricky' ? ['import ast'] : [],
        body: [...source.lines, `    return str(${parse})`],
      };
    },
  },
  {
    family: 'open_redirect',
    language: 'python',
    build(names, variant, level) {
      const source = pySource(names, level);
      if (variant === 'vulnerable')
        return { imports: [], body: [...source.lines, `    return redirect(${source.value})${SINK}`] };
      const target = variant === 'tricky' ? `'/${names.table}/' + quote(${source.value})` : `'/${names.table}'`;
      return {
        imports: variant === 'tricky' ? ['from urllib.parse import quote'] : [],
        body: [...source.lines, `    return redirect(${target})`],
      };
    },
  },
  {
    family: 'path_traversal',
    language: 'python',
    build(names, variant, level) {
      const source = pySource(names, level);
      const file =
        variant === 'vulnerable'
          ? source.value
          : variant === 'tricky'
            ? `os.path.basename(${source.value})`
            : `'index.html'`;
      return {
        imports: ['import os'],
        body: [
          ...source.lines,
          `    with open(os.path.join('/srv/files', ${file})) as handle:${variant === 'vulnerable' ? SINK : ''}`,
          '        return handle.read()',
        ],
      };
    },
  },
  {
    family: 'weak_crypto',
    language: 'python',
    build(names, variant, level) {
      const source = pySource(names, level);
      const algorithm = variant === 'vulnerable' ? 'md5' : 'sha256';
      return {
        imports: ['import hashlib'],
        body: [
          ...source.lines,
          `    return hashlib.${algorithm}(str(${source.value}).encode()).hexdigest()${variant === 'vulnerable' ? SINK : ''}`,
        ],
      };
    },
  },
];

function pyProgram(template: Template, names: Names, variant: Variant, level: number, random: Random): string {
  const { imports, body, helper } = template.build(names, variant, level);
  const handlerName = snake(names.route.slice(1));
  const handler = [`@app.route('${names.route}')`, `def ${handlerName}():`, ...body];
  const noise = level >= 3 ? [`def ${names.noise}(a, b):`, `    return a * b + ${names.number}`, '', ''] : [];
  const beforeHandler = level >= 3 && random.chance(0.5);
  return [
    ...imports,
    'from flask import Flask, redirect, request',
    '',
    'app = Flask(__name__)',
    '',
    '',
    ...(beforeHandler ? noise : []),
    ...(helper ? [...helper, '', ''] : []),
    ...handler,
    ...(beforeHandler ? [] : ['', '', ...noise]),
  ]
    .join('\n')
    .replace(/\n+$/, '\n');
}

// -------------------------------------------------------------------------------------------- generation

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
