// Guardian's exponential-backtracking check for regular expressions and its shell command splitter.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catastrophicBacktracking } from '../src/agents/guardian/analyzer/regex.js';
import { splitCommand } from '../src/agents/guardian/analyzer/shell-words.js';

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
