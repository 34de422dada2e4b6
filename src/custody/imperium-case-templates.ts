// Data table: Imperium's custody case templates, one program per automatic rule in JavaScript and in Python, and the
// names they draw.
import type { ImperiumCaseKind } from './imperium-cases.js';
import type { Random } from './random.js';

export interface Names {
  readonly fn: string;
  readonly other: string;
  readonly value: string;
  readonly words: string[];
  readonly numbers: number[];
}

const FUNCTIONS = ['check', 'lookup', 'measure', 'collect', 'describe', 'summarise', 'classify', 'render'];

const OTHERS = ['helper', 'inner', 'step', 'detail', 'part', 'piece'];

const VALUES = ['limit', 'total', 'label', 'marker', 'count', 'prefix', 'budget'];

const WORDS = ['red', 'green', 'blue', 'amber', 'teal', 'plum', 'sand', 'rose', 'mint', 'gold'];

export function namesFor(random: Random): Names {
  const words = random.shuffle(WORDS).slice(0, 4);
  return {
    fn: random.pick(FUNCTIONS),
    other: random.pick(OTHERS),
    value: random.pick(VALUES),
    words,
    numbers: [random.int(1, 9), random.int(10, 99), random.int(100, 999)],
  };
}

export const snake = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

const quote = (word: string) => `'${word}'`;

export interface Template {
  readonly ruleId: string;
  readonly language: 'javascript' | 'python';
  /** the lines of the program (without the noise that obfuscation adds) */
  build(names: Names, kind: ImperiumCaseKind, random: Random): string[];
}

export const JS_TEMPLATES: readonly Template[] = [
  {
    ruleId: 'js.prefer-includes',
    language: 'javascript',
    build({ fn, value, words }, kind, random) {
      const list = `${value.toUpperCase()}S`;
      if (kind === 'decoy') {
        // an unknown receiver: includes finds NaN and holes where indexOf does not
        return [
          `function ${fn}(items, wanted) {`,
          '  return items.indexOf(wanted) !== -1;',
          '}',
          `console.log(${fn}([NaN], NaN), ${fn}([1, , 3], undefined), ${fn}([${words.map(quote).join(', ')}], ${quote(words[0]!)}));`,
        ];
      }
      const [comparison, negated] = random.pick([
        ['!== -1', false],
        ['>= 0', false],
        ['> -1', false],
        ['=== -1', true],
        ['< 0', true],
      ] as const);
      return [
        `const ${list} = [${words.slice(0, 3).map(quote).join(', ')}];`,
        `function ${fn}() {`,
        `  return [${list}.indexOf(${quote(words[1]!)}) ${comparison}, ${list}.indexOf(${quote(words[3]!)}) ${comparison}];`,
        '}',
        `console.log(JSON.stringify(${fn}()), ${negated ? "'negated'" : "'plain'"});`,
      ];
    },
  },
  {
    ruleId: 'js.unused-variable',
    language: 'javascript',
    build({ fn, value, numbers }, kind) {
      const initialiser = kind === 'decoy' ? `announce(${numbers[0]})` : `[${numbers.join(', ')}]`;
      return [
        ...(kind === 'decoy' ? ['function announce(n) {', "  console.log('side effect', n);", '  return n;', '}'] : []),
        `function ${fn}(a, b) {`,
        `  const ${value}Unused = ${initialiser};`,
        '  return a * b;',
        '}',
        `console.log(${fn}(${numbers[0]}, ${numbers[1]}));`,
      ];
    },
  },
  {
    ruleId: 'js.unreachable-code',
    language: 'javascript',
    build({ fn, other, numbers }, kind) {
      if (kind === 'decoy') {
        // a hoisted function declaration after the return is used before it
        return [
          `function ${fn}() {`,
          `  return ${other}() + ${numbers[0]};`,
          `  function ${other}() {`,
          `    return ${numbers[1]};`,
          '  }',
          '}',
          `console.log(${fn}());`,
        ];
      }
      return [
        `function ${fn}(n) {`,
        '  if (n > 0) {',
        `    return n * ${numbers[0]};`,
        "    console.log('never printed');",
        '  }',
        `  return ${numbers[1]};`,
        '}',
        `console.log(${fn}(${numbers[2]}), ${fn}(-1));`,
      ];
    },
  },
  {
    ruleId: 'js.unused-import',
    language: 'javascript',
    build({ fn, value, numbers }) {
      return [
        `import ${value}Path from 'node:path';`,
        `import { EOL as ${value}Eol } from 'node:os';`,
        `function ${fn}(n) {`,
        `  return n + ${numbers[0]};`,
        '}',
        `process.stdout.write(String(${fn}(${numbers[1]})) + ${value}Eol);`,
      ];
    },
  },
];

export const PY_TEMPLATES: readonly Template[] = [
  {
    ruleId: 'py.set-membership',
    language: 'python',
    build({ fn, words }, kind) {
      if (kind === 'decoy') {
        // the value may be unhashable (a list): the set version would raise TypeError
        return [
          `def ${fn}(value):`,
          `    return value in [${words.map(quote).join(', ')}, [1, 2]]`,
          '',
          '',
          `print(${fn}(${quote(words[0]!)}), ${fn}([1, 2]), ${fn}('none'))`,
        ];
      }
      return [
        `def ${fn}(value):`,
        `    if str(value) in [${words.slice(0, 3).map(quote).join(', ')}]:`,
        "        return 'known'",
        "    return 'other'",
        '',
        '',
        `print(${fn}(${quote(words[0]!)}), ${fn}(${quote(words[3]!)}), ${fn}(3))`,
      ];
    },
  },
  {
    ruleId: 'py.unreachable-code',
    language: 'python',
    build({ fn, value, numbers }, kind) {
      const dead = kind === 'decoy' ? `    ${snake(value)} = ${numbers[2]}` : "    print('never printed')";
      return [`def ${fn}(n):`, `    return n * ${numbers[0]}`, dead, '', '', `print(${fn}(${numbers[1]}))`];
    },
  },
  {
    ruleId: 'py.unused-import',
    language: 'python',
    build({ fn, numbers }, _kind, random) {
      const unused = random.pick(['textwrap', 'fractions', 'bisect', 'heapq', 'string']);
      return [
        `import ${unused}`,
        'import json',
        '',
        '',
        `def ${fn}(n):`,
        `    return json.dumps([n, n + ${numbers[0]}])`,
        '',
        '',
        `print(${fn}(${numbers[1]}))`,
      ];
    },
  },
  {
    ruleId: 'py.string-join-in-loop',
    language: 'python',
    build({ fn, value, numbers }, kind) {
      const text = snake(value);
      const body =
        kind === 'decoy'
          ? // the string is read inside the loop: the rewrite would change what is printed
            [`        ${text} += str(item)`, `        print(len(${text}))`]
          : [`        ${text} += str(item) + ','`];
      return [
        `def ${fn}(items):`,
        `    ${text} = ''`,
        '    for item in items:',
        ...body,
        `    return ${text}`,
        '',
        '',
        `print(${fn}([${numbers.join(', ')}]))`,
      ];
    },
  },
];
