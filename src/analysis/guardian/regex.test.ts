// Guardian's exponential-backtracking check for regular expressions and its shell command splitter.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catastrophicBacktracking } from './regex.js';
import { splitCommand } from './shell-words.js';

describe('catastrophicBacktracking', () => {
  it('finds repetitions whose iterations can split a string in many ways', () => {
    for (const pattern of [
      '^(a+)+$',
      '(\\w*)*',
      '^(\\w+\\s?)*$',
      '^(a|aa)+$',
      '(\\d|\\w)+x',
      '^([a-zA-Z0-9]{2,4})+$',
      '^([a-z0-9]+[a-z])*$',
      '^(([\\-.]|[_]+)?([a-zA-Z0-9]+))*@x$',
      '(?:x?y*)+z',
      '^(?P<name>a+)+$',
    ])
      assert.equal(catastrophicBacktracking(pattern), true, pattern);
  });

  it('accepts repetitions delimited by a character the inner part cannot match, and bounded ones', () => {
    for (const pattern of [
      '^(ab)+$',
      '^[a-z0-9_.-]+@[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.[a-z]{2,24}$',
      '([a-z]+\\.)+[a-z]{2,}',
      '^(\\.[A-Za-z0-9-]+)*$',
      '(a+){2}',
      '[(a+)+]',
      '\\(a+\\)+',
      '^(foo|bar)*$',
      '^\\s*=\\s*"([^"\\\\]*(?:\\\\.[^"\\\\]*)*)"',
      '^(\\d+|\\w+)(\\.\\w+|\\[[^]]+\\])*$',
      '^\\/(?:[^~]|~0|~1)*$',
      '^\\d{3}-\\d{4}$',
      '(a|b',
    ])
      assert.equal(catastrophicBacktracking(pattern), false, pattern);
  });

  it('knows which line terminators `.` excludes in each flavour and with the s flag', () => {
    const js = { flavor: 'javascript' } as const;
    // JavaScript `.` excludes \n, \r, U+2028 and U+2029: these alternations are unambiguous
    for (const pattern of [
      '^(?:.|\\n|\\r)*$',
      '^(?:.|[\\n\\r])*$',
      '^(?:.|\\u2028|\\u2029)*$',
      '^a(?:#((?:.|\\n|\\r)*))?$',
    ])
      assert.equal(catastrophicBacktracking(pattern, js), false, pattern);
    // with the s flag, or in Python where `.` matches \r and U+2028, they are not
    for (const pattern of ['^(?:.|\\n)*$', '^(?s:.|\\n)*$'])
      assert.equal(catastrophicBacktracking(pattern, { ...js, dotAll: pattern === '^(?:.|\\n)*$' }), true, pattern);
    assert.equal(catastrophicBacktracking('^(?:.|\\r)*$'), true);
    assert.equal(catastrophicBacktracking('^(?:.|\\n)*$'), false);
    assert.equal(catastrophicBacktracking('(?s)^(?:.|\\n)*$'), true);
    assert.equal(catastrophicBacktracking('^(?:[^\\n]|\\u2028)*$', js), true);
  });

  it('needs the shorter branch to leave text another iteration can start with', () => {
    const js = { flavor: 'javascript' } as const;
    for (const pattern of ['"([^"]|\\\\")*"', "^(?:'(\\\\[']|[^'])*')"])
      assert.equal(catastrophicBacktracking(pattern, js), false, pattern);
    for (const pattern of ['"(\\\\.|[^"])*"', '^(a|ab|b)+$'])
      assert.equal(catastrophicBacktracking(pattern, js), true, pattern);
  });

  it('in JavaScript, ignores ambiguous repetitions that nothing after them can make fail', () => {
    const js = { flavor: 'javascript' } as const;
    for (const pattern of ['(a+|b+)+', 'x|((?:.|[\\r\\n\\f])+?)', '(\\w+\\s?)*b?'])
      assert.equal(catastrophicBacktracking(pattern, js), false, pattern);
    for (const pattern of ['(a+|b+)+$', '(a+)+\\b', '(a+)+(?=x)', '((?:.|[\\r\\n\\f])+?)y', '(x+x+)+y'])
      assert.equal(catastrophicBacktracking(pattern, js), true, pattern);
    // Python's fullmatch anchors the end of any compiled pattern
    assert.equal(catastrophicBacktracking('(a+|b+)+'), true);
  });

  it("reads Python's own syntax as Python does", () => {
    for (const pattern of [
      '^(?P<word>a+)+(?P=word)$',
      '(?x)^(\\w+\\s?)*$',
      '^(a{,3})+$',
      '\\A(a|aa)+\\Z',
      '^(?i:a|a)+$',
      '^([]a]|a)+$',
      '^(\\U00000061|a)+$',
    ])
      assert.equal(catastrophicBacktracking(pattern), true, pattern);
    // `[^]]` is "not ]" in Python (in JavaScript `[^]` is any character): the `]` delimits each iteration
    for (const pattern of ['^(\\[[^]]+\\])*$', '^(a{,3}b)+$', '(?#comment)'])
      assert.equal(catastrophicBacktracking(pattern), false, pattern);
  });

  it('parses JavaScript patterns under their flags', () => {
    const js = { flavor: 'javascript' } as const;
    // with the u flag `\u{61}` is `a`; without it, `u` repeated 61 times
    assert.equal(catastrophicBacktracking('^(\\u{61}|a)+$', { ...js, flags: 'u' }), true);
    assert.equal(catastrophicBacktracking('^(\\u{61}|a)+$', js), false);
    assert.equal(catastrophicBacktracking('^(?:.|\\n)*$', { ...js, flags: 'gs' }), true);
    assert.equal(catastrophicBacktracking('^(a++)+$', js), false); // not JavaScript: no finding
  });
});

describe('splitCommand', () => {
  const words = (parts: Parameters<typeof splitCommand>[0]) =>
    splitCommand(parts)?.map((word) =>
      word.map((part) => ('text' in part ? part.text : `{${part.expression}}`)).join(''),
    );

  it('splits plain words, quotes and values standing as words', () => {
    assert.deepEqual(words([{ text: 'ping -c 1 ' }, { expression: 'host' }]), ['ping', '-c', '1', '{host}']);
    assert.deepEqual(words([{ text: `git log --format="%h %s" '--' ` }]), ['git', 'log', '--format=%h %s', '--']);
    assert.deepEqual(words([{ text: 'cp "' }, { expression: 'a' }, { text: '" --name=' }, { expression: 'b' }]), [
      'cp',
      '{a}',
      '--name={b}',
    ]);
  });

  it('refuses what a shell reads differently from plain words', () => {
    for (const text of [
      'ls | wc',
      'ls > out',
      'echo $HOME',
      'ls *.txt',
      'a && b',
      'echo "unterminated',
      'cd /tmp',
      'X=1 run',
      'a\\ b',
      'echo `id`',
    ])
      assert.equal(splitCommand([{ text }]), undefined, text);
    assert.equal(splitCommand([{ text: "grep '" }, { expression: 'q' }, { text: "' f" }]), undefined);
    assert.equal(splitCommand([{ expression: 'program' }, { text: ' -x' }]), undefined);
  });
});
