// Data table: Guardian's custody case templates for Python (Flask handlers), one per vulnerability family.
import { SINK, type Names, snake, type Variant, type Template } from './guardian-case-names.js';
import type { Random } from './random.js';

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

export const PY_TEMPLATES: readonly Template[] = [
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

export function pyProgram(template: Template, names: Names, variant: Variant, level: number, random: Random): string {
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
