/**
 * The syntax tree Guardian's ReDoS judgement (regex.ts) works on: character sets over ASCII code points (plus
 * one bit for each of U+2028 and U+2029 and one for everything else), sequences, alternations, repetitions.
 * Patterns are parsed by regexpp (the ECMAScript regular expression parser ESLint uses); Python patterns are
 * first rewritten into the ECMAScript spelling of the same language (python-regex.ts).
 */
import { RegExpParser, type AST } from '@eslint-community/regexpp';
import { pythonToEcmaScript } from './python-regex.js';

export interface RegexOptions {
  /** `javascript`: `.` excludes all line terminators and the end of the pattern is not implicitly anchored. */
  readonly flavor?: 'javascript' | 'python';
  /** The `s` (dotAll) flag: `.` matches every character. */
  readonly dotAll?: boolean;
  /** JavaScript flags of the literal or `RegExp` call: `s` is dotAll, `u` and `v` parse in Unicode mode. */
  readonly flags?: string;
}

export type CharSet = bigint;
export type Regex =
  | { readonly kind: 'chars'; readonly set: CharSet }
  | { readonly kind: 'seq'; readonly items: readonly Regex[] }
  | { readonly kind: 'alt'; readonly options: readonly Regex[] }
  | { readonly kind: 'repeat'; readonly body: Regex; readonly min: number; readonly max: number }
  | { readonly kind: 'empty' }
  /** Matches the empty string but can fail: `$`, `\b`, lookarounds, backreferences. */
  | { readonly kind: 'assert' };

// ASCII code points one bit each, then the line separators U+2028 and U+2029, then everything else.
const LINE_SEPARATOR = 1n << 128n;
const PARAGRAPH_SEPARATOR = 1n << 129n;
const OTHER = 1n << 130n;
const ALL: CharSet = (1n << 131n) - 1n;
function char(code: number): CharSet {
  if (code < 128) return 1n << BigInt(code);
  if (code === 0x2028) return LINE_SEPARATOR;
  if (code === 0x2029) return PARAGRAPH_SEPARATOR;
  return OTHER;
}
function range(from: number, to: number): CharSet {
  let set = 0n;
  for (let code = from; code <= Math.min(to, 127); code++) set |= 1n << BigInt(code);
  if (from <= 0x2028 && to >= 0x2028) set |= LINE_SEPARATOR;
  if (from <= 0x2029 && to >= 0x2029) set |= PARAGRAPH_SEPARATOR;
  // some code point at or above 128 other than the two separators
  if (to >= 128 && !(Math.max(from, 128) >= 0x2028 && to <= 0x2029)) set |= OTHER;
  return set;
}
const DIGITS = range(48, 57);
const WORD = DIGITS | range(65, 90) | range(97, 122) | char(95);
const SPACE = char(32) | range(9, 13) | LINE_SEPARATOR | PARAGRAPH_SEPARATOR | OTHER;
const LINE_TERMINATORS = char(10) | char(13) | LINE_SEPARATOR | PARAGRAPH_SEPARATOR;
const ESCAPE_SETS = { digit: DIGITS, word: WORD, space: SPACE } as const;

const parser = new RegExpParser({ ecmaVersion: 2025 });

/** The pattern's syntax tree; throws a SyntaxError for a pattern the flavour does not accept. */
export function parseRegex(pattern: string, options: RegexOptions = {}): Regex {
  const flags = options.flags ?? '';
  let dotAll = (options.dotAll ?? false) || flags.includes('s');
  let source = pattern;
  if (options.flavor !== 'javascript') {
    const translated = pythonToEcmaScript(pattern);
    source = translated.source;
    dotAll ||= translated.dotAll;
  }
  const parsed = parser.parsePattern(source, 0, source.length, {
    unicode: flags.includes('u'),
    unicodeSets: flags.includes('v'),
  });
  const lineTerminators = options.flavor === 'javascript' ? LINE_TERMINATORS : char(10);
  return alternation(parsed.alternatives, { dotAll, lineTerminators });
}

interface Scope {
  readonly dotAll: boolean;
  /** What `.` excludes without the s flag. */
  readonly lineTerminators: CharSet;
}

function alternation(alternatives: readonly AST.Alternative[], scope: Scope): Regex {
  const options = alternatives.map((alternative): Regex => ({
    kind: 'seq',
    items: alternative.elements.map((element) => toRegex(element, scope)),
  }));
  return options.length === 1 ? options[0]! : { kind: 'alt', options };
}

function toRegex(node: AST.Element, scope: Scope): Regex {
  switch (node.type) {
    case 'Quantifier': // lazy repetitions match the same language
      return { kind: 'repeat', body: toRegex(node.element, scope), min: node.min, max: node.max };
    case 'Group': {
      const modifiers = node.modifiers;
      const dotAll = modifiers?.add.dotAll ? true : modifiers?.remove?.dotAll ? false : scope.dotAll;
      return alternation(node.alternatives, { ...scope, dotAll });
    }
    case 'CapturingGroup':
      return alternation(node.alternatives, scope);
    case 'Assertion':
    case 'Backreference':
      return { kind: 'assert' };
    default:
      return { kind: 'chars', set: charSet(node, scope) };
  }
}

type CharacterNode =
  | AST.Character
  | AST.CharacterSet
  | AST.CharacterClass
  | AST.CharacterClassRange
  | AST.ExpressionCharacterClass
  | AST.ClassIntersection
  | AST.ClassSubtraction
  | AST.ClassStringDisjunction;

function charSet(node: CharacterNode, scope: Scope): CharSet {
  switch (node.type) {
    case 'Character':
      return char(node.value);
    case 'CharacterClassRange':
      return range(node.min.value, node.max.value);
    case 'CharacterSet': {
      if (node.kind === 'any') return scope.dotAll ? ALL : ALL & ~scope.lineTerminators;
      if (node.kind === 'property') return ALL;
      const set = ESCAPE_SETS[node.kind];
      return node.negate ? ALL & ~set : set;
    }
    case 'CharacterClass': {
      const set = node.elements.reduce((union, element) => union | charSet(element, scope), 0n);
      return node.negate ? ALL & ~set : set;
    }
    case 'ExpressionCharacterClass': {
      const set = charSet(node.expression, scope);
      return node.negate ? ALL & ~set : set;
    }
    case 'ClassIntersection':
      return charSet(node.left, scope) & charSet(node.right, scope);
    case 'ClassSubtraction':
      return charSet(node.left, scope) & ~charSet(node.right, scope);
    case 'ClassStringDisjunction': // `\q{abc|d}`: the characters of its strings, a superset
      return node.alternatives.reduce(
        (union, alternative) => alternative.elements.reduce((set, element) => set | char(element.value), union),
        0n,
      );
  }
}
