// Data table: Guardian's custody case templates for JavaScript (Express handlers), one per vulnerability family.
import { SINK, type Names, type Variant, type Template } from './guardian-case-names.js';
import type { Random } from './random.js';

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

export const JS_TEMPLATES: readonly Template[] = [
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

export function jsProgram(template: Template, names: Names, variant: Variant, level: number, random: Random): string {
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
