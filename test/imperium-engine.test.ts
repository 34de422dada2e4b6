import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import ts from 'typescript';
import { parseSource } from '../src/analysis/guardian/parser.js';
import { optimizeCode } from '../src/analysis/imperium/optimize.js';
import { IMPERIUM_RULES } from '../src/analysis/imperium/rules.js';
import { FIXTURES, type ImperiumFixture } from './fixtures/imperium/cases.js';

const run = promisify(execFile);

let folder: string;
before(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'lvlup-imperium-'));
});
after(() => rm(folder, { recursive: true, force: true }));

/** Runs a fixture program and answers what it printed. */
async function execute(fixture: ImperiumFixture, code: string, label: string): Promise<string> {
  const base = path.join(folder, `${FIXTURES.indexOf(fixture)}-${label}`);
  if (fixture.filePath.endsWith('.py')) {
    await writeFile(`${base}.py`, code);
    return (await run('python3', [`${base}.py`], { timeout: 20_000 })).stdout;
  }
  const javascript = fixture.filePath.endsWith('.ts')
    ? ts.transpileModule(code, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText
    : code;
  await writeFile(`${base}.mjs`, javascript);
  return (await run(process.execPath, [`${base}.mjs`], { timeout: 20_000 })).stdout;
}

async function parses(code: string, filePath: string): Promise<boolean> {
  const tree = await parseSource(
    code,
    filePath.endsWith('.py') ? 'python' : filePath.endsWith('.ts') ? 'typescript' : 'javascript',
  );
  try {
    return !tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}

describe('Imperium rule fixtures: the engine turns before into after, and both behave the same', () => {
  for (const fixture of FIXTURES) {
    it(fixture.name, async () => {
      const result = await optimizeCode({ code: fixture.before, filePath: fixture.filePath });
      assert.equal(result.optimizedCode, fixture.after);
      assert.deepEqual(
        [...new Set(result.changes.map((change) => change.rule_id))].sort(),
        [...fixture.applied].sort(),
      );
      assert.deepEqual(
        [...new Set(result.suggestions.map((change) => change.rule_id))].sort(),
        [...(fixture.suggested ?? [])].sort(),
      );
      assert.equal(result.diff === '', fixture.before === fixture.after);
      const [expected, actual] = await Promise.all([
        execute(fixture, fixture.before, 'before'),
        execute(fixture, fixture.after, 'after'),
      ]);
      assert.ok(expected.length > 0, 'the fixture prints something');
      assert.equal(actual, expected);
      const again = await optimizeCode({ code: result.optimizedCode, filePath: fixture.filePath });
      assert.equal(again.optimizedCode, result.optimizedCode, 'a second run changes nothing');
      assert.deepEqual(again.changes, []);
    });
  }

  it('has a fixture for every rule', () => {
    const covered = new Set(FIXTURES.flatMap((fixture) => [...fixture.applied, ...(fixture.suggested ?? [])]));
    assert.deepEqual(
      IMPERIUM_RULES.map((rule) => rule.id).filter((id) => !covered.has(id)),
      [],
    );
  });
});

describe('Imperium engine preconditions', () => {
  const optimize = (code: string, filePath: string, extra: Partial<Parameters<typeof optimizeCode>[0]> = {}) =>
    optimizeCode({ code, filePath, ...extra });

  it('changes nothing in code that does not parse, and says so', async () => {
    const result = await optimize('function f() {\n  return 1;\n  g(;\n}\n', 'a.js');
    assert.equal(result.parseErrors, true);
    assert.equal(result.optimizedCode, 'function f() {\n  return 1;\n  g(;\n}\n');
    assert.deepEqual(result.changes, []);
  });

  it('reports changes at their lines in the submitted code, across passes', async () => {
    const code =
      "import { join } from 'node:path';\n\nfunction f() {\n  return 1;\n  join('a');\n}\nconsole.log(f());\n";
    const result = await optimize(code, 'a.js');
    assert.equal(result.optimizedCode, 'function f() {\n  return 1;\n}\nconsole.log(f());\n'.replace(/^/, '\n'));
    assert.deepEqual(
      result.changes.map((change) => [change.rule_id, change.line]),
      [
        ['js.unused-import', 1],
        ['js.unreachable-code', 5],
      ],
    );
  });

  it('honours lvlup-ignore comments and goals', async () => {
    const code = "const A = ['x'];\nconsole.log(A.indexOf('x') !== -1); // lvlup-ignore js.prefer-includes\n";
    assert.equal((await optimize(code, 'a.js')).optimizedCode, code);
    const other = "const A = ['x'];\nconsole.log(A.indexOf('x') !== -1);\n";
    assert.equal((await optimize(other, 'a.js', { goals: ['performance'] })).optimizedCode, other);
    assert.notEqual((await optimize(other, 'a.js', { goals: ['maintainability'] })).optimizedCode, other);
  });

  it('keeps JavaScript bindings whose removal could change behaviour', async () => {
    const unchanged = [
      // eval can read any name
      "import { join } from 'node:path';\neval('join');\n",
      // side-effect imports and JSX's implicit React
      "import 'reflect-metadata';\nimport React from 'react';\nexport const App = () => <div />;\n",
      // a module-level constant may be read by other scripts
      'const unusedTopLevel = 1;\n',
      // an initialiser reading a name can throw (TDZ, ReferenceError)
      'function f() {\n  const copy = missing;\n}\n',
      // shadowing: the name is mentioned elsewhere, so it counts as used
      'function f() {\n  const a = 1;\n  return (a) => a;\n}\n',
      // let/const/class after return still shadow outer names
      'let v = 1;\nfunction f() {\n  return () => v;\n  let v = 2;\n}\n',
      // await decides which handler sees a rejection inside try and finally
      'async function f() {\n  try {\n    return await g();\n  } finally {\n    h();\n  }\n}\n',
      // in an async generator, return awaits anyway, but leave it
      'async function* f() {\n  return await g();\n}\n',
      // reassignable or unknown receivers
      "let list = ['a'];\nlist.indexOf('a') !== -1;\n",
      "const list = ['a'];\nfunction f(list) {\n  return list.indexOf('a') !== -1;\n}\n",
    ];
    for (const code of unchanged) {
      const filePath = code.includes('<div') ? 'app.jsx' : 'a.js';
      assert.equal((await optimize(code, filePath)).optimizedCode, code, code);
    }
  });

  it('never lets the statements around a deletion run together (no semicolon before a line starting with "(")', async () => {
    const code = 'function f(a) {\n  return a\n  b();\n  c();\n  (function () {\n    var x;\n  })();\n}\n';
    const result = await optimize(code, 'a.js');
    assert.equal(
      result.optimizedCode,
      'function f(a) {\n  return a\n  c();\n  (function () {\n    var x;\n  })();\n}\n',
    );
  });

  it('keeps TypeScript imports used only in types', async () => {
    const code =
      "import { Foo, type Bar } from './types.js';\nexport function f(a: Foo): Bar {\n  return a as unknown as Bar;\n}\n";
    assert.equal((await optimize(code, 'a.ts')).optimizedCode, code);
  });

  it('keeps Python imports that may have effects or are re-exported, and reports them', async () => {
    const thirdParty = 'import requests\nfrom . import models\n';
    const result = await optimize(thirdParty, 'app/views.py');
    assert.equal(result.optimizedCode, thirdParty);
    assert.deepEqual(
      result.suggestions.map((change) => change.rule_id),
      ['py.unused-import', 'py.unused-import'],
    );
    assert.equal((await optimize('import os\n', 'pkg/__init__.py')).optimizedCode, 'import os\n');
    assert.equal(
      (await optimize('import os\n__all__ = ["os"]\n', 'pkg/a.py')).optimizedCode,
      'import os\n__all__ = ["os"]\n',
    );
    assert.equal(
      (await optimize('from __future__ import annotations\n', 'a.py')).optimizedCode,
      'from __future__ import annotations\n',
    );
    const optional = 'try:\n    import json\nexcept ImportError:\n    json = None\n';
    assert.equal((await optimize(optional, 'a.py')).optimizedCode, optional);
  });

  it('does not turn Python membership into a set for empty lists, unhashable elements or rebound builtins', async () => {
    const unchanged = [
      'def f(x):\n    return str(x) in []\n',
      'def f(x):\n    return str(x) in [[1], [2]]\n',
      'def str(x):\n    return [x]\n\n\ndef f(x):\n    return str(x) in ["a"]\n',
    ];
    for (const code of unchanged) assert.equal((await optimize(code, 'a.py')).optimizedCode, code, code);
  });

  it('does not rewrite a Python accumulator read in the loop, inside try, or at module level', async () => {
    const unchanged = [
      'def f(xs):\n    s = ""\n    for x in xs:\n        s += str(x)\n        print(s)\n    return s\n',
      'def f(xs):\n    try:\n        s = ""\n        for x in xs:\n            s += str(x)\n    finally:\n        pass\n    return s\n',
      's = ""\nfor x in range(3):\n    s += str(x)\n',
      'def f(xs):\n    s = ""\n    for x in xs:\n        s += str(x)\n    else:\n        pass\n    return s\n',
    ];
    for (const code of unchanged) {
      const result = await optimize(code, 'a.py');
      assert.equal(result.optimizedCode, code, code);
      assert.ok(
        result.suggestions.some((change) => change.rule_id === 'py.string-join-in-loop'),
        code,
      );
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Property tests: random programs composed from templates, with random names and literals.

const NAMES = ['a', 'b', 'item', 'value', 'list', 'data', 'x', 'y', 'str', 'join', 'path'];
const identifier = fc.constantFrom(...NAMES);
const jsLiteral = fc.oneof(
  fc.integer({ min: -5, max: 99 }).map(String),
  fc.constantFrom("'x'", "'y'", 'true', 'null', '[1, 2]', '{ k: 1 }', 'undefined', 'NaN', '`t`'),
);

const jsStatement = fc.oneof(
  fc
    .tuple(fc.constantFrom('const', 'let', 'var'), identifier, jsLiteral)
    .map(([kind, name, value]) => `${kind} ${name} = ${value};`),
  fc.tuple(identifier, jsLiteral).map(([name, value]) => `if (${name}.indexOf(${value}) !== -1) console.log(${name});`),
  fc.tuple(jsLiteral, jsLiteral).map(([list, value]) => `console.log([${list}, ${value}].indexOf(${value}) === -1);`),
  fc.tuple(identifier).map(([name]) => `return await ${name};`),
  fc.tuple(identifier).map(([name]) => `return ${name};`),
  fc.constantFrom('break;', 'continue;', "throw new Error('e');", ';'),
  fc.tuple(identifier).map(([name]) => `console.log(${name});`),
  fc.tuple(identifier, identifier).map(([a, b]) => `const ${a} = await ${b}();`),
  fc.tuple(identifier).map(([name]) => `for (const ${name} of [1]) { console.log(new RegExp('a')); }`),
  fc.tuple(identifier).map(([name]) => `try { return await ${name}; } catch { }`),
  fc.tuple(identifier).map(([name]) => `function ${name}() { return 1; }`),
  fc.tuple(identifier).map(([name]) => `const c = JSON.parse(JSON.stringify(${name}));`),
);

const jsImport = fc
  .tuple(
    fc.constantFrom("'node:path'", "'node:fs'", "'./local.js'", "'lib'"),
    fc.uniqueArray(identifier, { minLength: 1, maxLength: 3 }),
  )
  .map(([source, names]) => `import { ${names.join(', ')} } from ${source};`);

const jsProgram = fc
  .tuple(
    fc.array(jsImport, { maxLength: 3 }),
    fc.array(fc.tuple(fc.boolean(), identifier, fc.array(jsStatement, { maxLength: 6 })), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(
    ([imports, functions]) =>
      imports.join('\n') +
      '\n' +
      functions
        .map(
          ([isAsync, name, body]) =>
            `${isAsync ? 'async ' : ''}function f_${name}(${name}) {\n  while (${name}) {\n${body.map((line) => `    ${line}`).join('\n')}\n  }\n${body.map((line) => `  ${line}`).join('\n')}\n}\n`,
        )
        .join(''),
  );

const pyLiteral = fc.oneof(
  fc.integer({ min: -5, max: 99 }).map(String),
  fc.constantFrom('"x"', "'y'", 'None', 'True', '(1, 2)', '[1]', 'f"{a}"', 'b"z"'),
);
const pyStatement = fc.oneof(
  fc.tuple(identifier, pyLiteral).map(([name, value]) => [`${name} = ${value}`]),
  fc.tuple(identifier, pyLiteral, pyLiteral).map(([name, a, b]) => [`if ${name} in [${a}, ${b}]:`, '    pass']),
  fc.tuple(pyLiteral, pyLiteral).map(([a, b]) => [`print(str(${a}) not in (${a}, ${b}))`]),
  fc
    .tuple(identifier, identifier, pyLiteral)
    .map(([acc, item, value]) => [`${acc} = ""`, `for ${item} in range(3):`, `    ${acc} += str(${value})`]),
  fc.tuple(identifier).map(([name]) => [`return ${name}`]),
  fc.constantFrom(['raise ValueError()'], ['pass'], ['print(1)'], ['yield 1'], ['global x']),
  fc.tuple(identifier).map(([name]) => [`print(${name})`]),
);
const pyImport = fc
  .tuple(
    fc.constantFrom('os', 'json', 're', 'requests', 'collections'),
    fc.uniqueArray(identifier, { minLength: 1, maxLength: 2 }),
    fc.boolean(),
  )
  .map(([module, names, from]) => (from ? `from ${module} import ${names.join(', ')}` : `import ${module}`));
const pyProgram = fc
  .tuple(
    fc.array(pyImport, { maxLength: 3 }),
    fc.array(fc.tuple(identifier, fc.array(pyStatement, { minLength: 1, maxLength: 6 })), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(
    ([imports, functions]) =>
      imports.join('\n') +
      '\n\n' +
      functions
        .map(
          ([name, body]) =>
            `def f_${name}(${name}):\n${body
              .flat()
              .map((line) => `    ${line}`)
              .join('\n')}\n`,
        )
        .join('\n'),
  );

describe('Imperium engine properties', () => {
  for (const [label, program, filePath] of [
    ['JavaScript', jsProgram, 'p.js'],
    ['TypeScript', jsProgram, 'p.ts'],
    ['Python', pyProgram, 'p.py'],
  ] as const) {
    it(`${label}: output of a clean program parses, and a second run changes nothing`, async () => {
      let clean = 0;
      let changed = 0;
      await fc.assert(
        fc.asyncProperty(program, async (code) => {
          fc.pre(await parses(code, filePath));
          clean++;
          const first = await optimizeCode({ code, filePath });
          if (first.changes.length > 0) changed++;
          assert.ok(await parses(first.optimizedCode, filePath), `output does not parse:\n${first.optimizedCode}`);
          assert.equal(first.optimizedCode === code, first.changes.length === 0);
          const second = await optimizeCode({ code: first.optimizedCode, filePath });
          assert.equal(second.optimizedCode, first.optimizedCode, `not idempotent on:\n${code}`);
          assert.deepEqual(second.changes, []);
        }),
        { numRuns: 150, seed: 20261123 },
      );
      // The property means something only if the engine actually rewrites many of the programs.
      assert.ok(changed >= clean / 4, `${changed} of ${clean} programs changed`);
    });
  }
});
