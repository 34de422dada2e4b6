import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCode } from '../analyze.js';
import type { Finding } from '../finding.js';
import { JAVASCRIPT_RULES } from './index.js';

async function scan(code: string): Promise<Finding[]> {
  return analyzeCode({ code, filePath: 'app.js', language: 'javascript' }, JAVASCRIPT_RULES);
}

const brief = (findings: Finding[]) => findings.map((f) => `${f.rule_id}@${f.line}:${f.confidence}`);

const handler = (body: string) =>
  `const { exec } = require('child_process');\napp.get('/', (req, res) => {\n${body}\n});`;

describe('JavaScript constant folding', () => {
  it('a constant condition takes one branch of a conditional expression', async () => {
    const taken = handler(
      `  const num = 86;\n  const bar = 7 * 18 + num > 200 ? req.query.e : '1 + 1';\n  res.json(eval(bar));`,
    );
    assert.deepEqual(brief(await scan(taken)), ['js.code-injection@5:high']);
    const other = handler(
      `  const num = 86;\n  const bar = 7 * 18 + num < 200 ? req.query.e : '1 + 1';\n  res.json(eval(bar));`,
    );
    assert.deepEqual(brief(await scan(other)), []);
  });

  it('folds strings, templates, lengths, typeof and short circuits of constants', async () => {
    const folded = handler(
      `  const MODE = \`\${'pro'}d\`;\n  const x = MODE === 'prod' && 'ab'.length === 2 && typeof MODE === 'string' ? 'ls' : req.query.c;\n  exec(x);`,
    );
    assert.deepEqual(brief(await scan(folded)), []);
    const unknown = handler(`  const x = req.query.m === 'prod' ? 'ls' : req.query.c;\n  exec(x);`);
    assert.deepEqual(brief(await scan(unknown)), ['js.command-injection@4:high']);
  });

  it('a binding in a branch that cannot run does not reach the use', async () => {
    const dead = handler(`  let cmd = 'ls';\n  if (5 > 10) cmd = 'ls ' + req.query.d;\n  exec(cmd);`);
    assert.deepEqual(brief(await scan(dead)), []);
    const deadElse = handler(`  let cmd = 'ls';\n  if (1) {} else { cmd = req.query.d; }\n  exec(cmd);`);
    assert.deepEqual(brief(await scan(deadElse)), []);
    const live = handler(`  let cmd = 'ls';\n  if (10 > 5) cmd = 'ls ' + req.query.d;\n  exec(cmd);`);
    assert.deepEqual(brief(await scan(live)), ['js.command-injection@5:high']);
  });

  it('a value overwritten before the sink does not reach it', async () => {
    const overwritten = handler(`  let cmd = req.query.d;\n  cmd = 'ls';\n  exec(cmd);`);
    assert.deepEqual(brief(await scan(overwritten)), []);
  });
});

describe('JavaScript bindings join after an if', () => {
  it('keeps the value before an if without else that may not run', async () => {
    const falsy = handler(`  let host = req.query.h;\n  if (!host) host = 'localhost';\n  exec('ping ' + host);`);
    assert.deepEqual(brief(await scan(falsy)), ['js.command-injection@5:high']);
    const elseBranch = handler(
      `  let host = req.query.h;\n  if (host.length > 3) { host = 'a'; } else { exec('ping ' + host); }`,
    );
    assert.deepEqual(brief(await scan(elseBranch)), ['js.command-injection@4:high']);
    const bothBranches = handler(
      `  let host = req.query.h;\n  if (!host) host = 'localhost';\n  else host = '127.0.0.1';\n  exec('ping ' + host);`,
    );
    assert.deepEqual(brief(await scan(bothBranches)), []);
  });

  it('an if that replaces the value when a check rejects it is a check', async () => {
    const checked = handler(
      `  let host = req.query.h;\n  if (!/^[a-z.]+$/.test(host)) host = 'localhost';\n  exec('ping ' + host);`,
    );
    assert.deepEqual(brief(await scan(checked)), []);
  });
});

describe('prototype pollution is reported where the merge writes', () => {
  it('a recursive merge fed with request data is high at its write', async () => {
    const merge = `function merge(t, s) {\n  for (const k in s) {\n    if (typeof s[k] === 'object') merge(t[k], s[k]);\n    else t[k] = s[k];\n  }\n  return t;\n}\n`;
    assert.deepEqual(brief(await scan(`${merge}app.post('/p', (req, res) => res.json(merge({}, req.body)));`)), [
      'js.prototype-pollution@4:high',
    ]);
    assert.deepEqual(brief(await scan(`${merge}module.exports = merge;`)), ['js.prototype-pollution@4:medium']);
  });

  it('the write that copies a value, not the one that makes room to descend', async () => {
    const merge = `function assign(t, s) {
  Object.keys(s).forEach((k) => {
    if (typeof s[k] === 'object') assign((t[k] = t[k] || {}), s[k]);
    else t[k] = s[k];
  });
}
assign({}, JSON.parse(location.hash.slice(1)));`;
    assert.deepEqual(brief(await scan(merge)), ['js.prototype-pollution@4:high']);
  });
});

describe('JavaScript flows across the functions of a file', () => {
  const runner = `const { exec } = require('child_process');\nfunction run(cmd, options = {}) {\n  exec(cmd, options);\n}\n`;

  it('a tainted argument of a local function reaches the sink in its body, reported there', async () => {
    assert.deepEqual(brief(await scan(`${runner}app.get('/', (req) => run('ls ' + req.query.d));`)), [
      'js.command-injection@3:high',
    ]);
  });

  it('a local function the file calls only with constants gets constants', async () => {
    assert.deepEqual(brief(await scan(`${runner}run('ls -l');\nrun(\`du -sh \${'/srv'}\`);`)), []);
  });

  it('a function whose name escapes, or that is never called, may get anything', async () => {
    assert.deepEqual(brief(await scan(`${runner}run('ls');\nmodule.exports = { run };`)), [
      'js.command-injection@3:medium',
    ]);
    assert.deepEqual(brief(await scan(runner)), ['js.command-injection@3:medium']);
  });

  it('a local function returning request data taints its result whatever its arguments', async () => {
    const helper = `function term() {\n  return decodeURIComponent(location.hash.slice(1));\n}\n`;
    assert.deepEqual(brief(await scan(`${helper}document.getElementById('q').innerHTML = term();`)), ['js.xss@4:high']);
    const constant = `function term() {\n  return 'none';\n}\ndocument.getElementById('q').innerHTML = term();`;
    assert.deepEqual(brief(await scan(constant)), []);
  });

  it('chains through a helper that returns its parameter into one that sinks it', async () => {
    const code = `${runner}const quote = (v) => "'" + v + "'";\napp.get('/', (req) => run('ls ' + quote(req.query.d)));`;
    assert.deepEqual(brief(await scan(code)), ['js.command-injection@3:high']);
  });
});
