/**
 * Catastrophic backtracking (exponential ReDoS) in JavaScript and Python regular expressions.
 *
 * The pattern is parsed (by regexpp, regex-syntax.ts) into a small syntax tree over character sets (ASCII
 * code points, plus one bit for everything else). A repetition with an unbounded (or large) count is
 * exponential when one string can be split into its iterations in many ways:
 * - its body is an alternation whose branches can start with the same character (`(a|aa)+`, `(\w|\d)*`);
 * - its body contains a repetition of variable count that can stop or go on at a character that could also
 *   come after it, and that nothing else the iteration requires separates from the next iteration: the other
 *   parts are all optional (`(a+)+`, `(\w+\s?)*`, `([a-z]{2,4})+`), or what they require overlaps the
 *   characters of the inner repetition (`([a-z0-9]+[a-z])*`).
 * A delimiter the inner repetition cannot match, as in `(\.[a-z]+)*` or `([a-z]+\.)+`, makes the split unique;
 * so does one that decides where it stops, as the `)` of `(\.\w+(?:\([^)]*\))?)*`.
 *
 * Flavours differ in what `.` matches: in JavaScript it excludes the line terminators `\n`, `\r`, U+2028 and
 * U+2029 (so `(?:.|\n|\r)*` is unambiguous), in Python only `\n`; with the `s` flag it matches everything.
 * Backtracking only happens when something after the repetition can fail: in JavaScript, where no call
 * anchors the end implicitly, an ambiguous repetition followed by nothing that can fail (`x|(a|a)+?`, or
 * `(a+)+` then only optional parts) finds its first match without trying other splits. Python's `fullmatch`
 * anchors the end of any compiled pattern, so there every ambiguous repetition counts.
 */

import { parseRegex, type CharSet, type Regex, type RegexOptions } from './regex-syntax.js';

export type { RegexOptions } from './regex-syntax.js';

/** A bounded repetition with more iterations than this counts as unbounded. */
const LARGE = 10;

function nullable(node: Regex): boolean {
  switch (node.kind) {
    case 'chars':
      return false;
    case 'seq':
      return node.items.every(nullable);
    case 'alt':
      return node.options.some(nullable);
    case 'repeat':
      return node.min === 0 || nullable(node.body);
    case 'empty':
    case 'assert':
      return true;
  }
}

function firstChars(node: Regex): CharSet {
  switch (node.kind) {
    case 'chars':
      return node.set;
    case 'seq': {
      let set = 0n;
      for (const item of node.items) {
        set |= firstChars(item);
        if (!nullable(item)) break;
      }
      return set;
    }
    case 'alt':
      return node.options.reduce((set, option) => set | firstChars(option), 0n);
    case 'repeat':
      return firstChars(node.body);
    case 'empty':
    case 'assert':
      return 0n;
  }
}

/** A sequence's items, with single-item sequences and nested sequences flattened. */
function items(node: Regex): readonly Regex[] {
  if (node.kind !== 'seq') return [node];
  return node.items.flatMap((item) => (item.kind === 'seq' ? items(item) : [item]));
}

/**
 * Whether two branches of a repeated alternation can match the same text as different iterations: their
 * leading characters are compared position by position while both are plain characters (`~0|~1` differ at
 * the second, `a|aa` share `a`). When the shorter branch ends first, the longer one's next character must be
 * able to start another iteration (`next` are the characters an iteration starts with): in `(\\"|[^"])*`
 * the branch `[^"]` can take the backslash of `\"`, but no iteration starts with the `"` that remains.
 */
function overlapping(a: Regex, b: Regex, next: CharSet): boolean {
  if ((firstChars(a) & firstChars(b)) === 0n) return false;
  const left = items(a);
  const right = items(b);
  const common = Math.min(left.length, right.length);
  for (let i = 0; i < common; i++) {
    const x = left[i]!;
    const y = right[i]!;
    if (x.kind !== 'chars' || y.kind !== 'chars') return true;
    if ((x.set & y.set) === 0n) return false;
  }
  const rest = (left.length > right.length ? left : right).slice(common);
  if (rest.length === 0) return true; // the same length, character by character: `a|\w`
  const following = firstChars({ kind: 'seq', items: rest });
  return rest.every(nullable) || (following & next) !== 0n;
}

/** Whether the iterations of `body` repeated without bound can split one string in many ways. */
function ambiguousIterations(body: Regex): boolean {
  const parts = items(body);
  // `(a|aa)+`: two branches that can start alike
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only?.kind === 'alt') {
    const options = only.options;
    const next = firstChars(body);
    for (let i = 0; i < options.length; i++)
      for (let j = i + 1; j < options.length; j++) if (overlapping(options[i]!, options[j]!, next)) return true;
  }
  // a repetition inside the body that can stop or go on at a character that could also come next, and that
  // no character the rest of the iteration requires can pin to one place
  return undecided(body, firstChars(body)) && undelimited(parts);
}

/** Whether some repetition of variable count in the body has no required delimiter it cannot match. */
function undelimited(parts: readonly Regex[]): boolean {
  // each branch of an alternation in the body is one way an iteration can go
  return branches(parts).some((sequence) =>
    sequence.some((part, index) =>
      repeatsWithin(part).some((inner) => {
        if (inner.kind !== 'repeat' || inner.max === inner.min) return false;
        // an iteration is delimited when it requires a character the inner repetition cannot match
        const required = sequence.filter((other, at) => at !== index && !nullable(other));
        const innerChars = allChars(inner.body);
        return required.every((other) => (allChars(other) & innerChars) !== 0n);
      }),
    ),
  );
}

/** The sequences a body can take, alternations expanded (at most 64). */
function branches(parts: readonly Regex[]): Regex[][] {
  const at = parts.findIndex((part) => part.kind === 'alt');
  const alternation = parts[at];
  if (alternation?.kind !== 'alt') return [[...parts]];
  const result: Regex[][] = [];
  for (const option of alternation.options) {
    for (const sequence of branches([...parts.slice(0, at), ...items(option), ...parts.slice(at + 1)])) {
      result.push(sequence);
      if (result.length >= 64) return result;
    }
  }
  return result;
}

function allChars(node: Regex): CharSet {
  switch (node.kind) {
    case 'chars':
      return node.set;
    case 'seq':
      return node.items.reduce((set, item) => set | allChars(item), 0n);
    case 'alt':
      return node.options.reduce((set, option) => set | allChars(option), 0n);
    case 'repeat':
      return allChars(node.body);
    case 'empty':
    case 'assert':
      return 0n;
  }
}

function repeatsWithin(node: Regex): Regex[] {
  switch (node.kind) {
    case 'repeat':
      return [node, ...repeatsWithin(node.body)];
    case 'seq':
      return node.items.flatMap(repeatsWithin);
    case 'alt':
      return node.options.flatMap(repeatsWithin);
    default:
      return [];
  }
}

/**
 * Whether a repetition of variable count within `node` can either stop or take another iteration at the same
 * next character; `follow` are the characters that can come after `node` within the outer iteration (or
 * start the next one). In `(\\w+\\s?)*` the `\\w+` can stop before a word character that starts the next
 * iteration; in `(\\.[a-z]+)*` it stops exactly before the `.`, and in `(\\([^)]*\\))*` before the `)`.
 */
function undecided(node: Regex, follow: CharSet): boolean {
  switch (node.kind) {
    case 'repeat': {
      const first = firstChars(node.body);
      if (node.max !== node.min && (first & follow) !== 0n) return true;
      return undecided(node.body, first | follow);
    }
    case 'seq': {
      let after = follow;
      for (let index = node.items.length - 1; index >= 0; index--) {
        const item = node.items[index]!;
        if (undecided(item, after)) return true;
        after = nullable(item) ? firstChars(item) | after : firstChars(item);
      }
      return false;
    }
    case 'alt':
      return node.options.some((option) => undecided(option, follow));
    default:
      return false;
  }
}

/** Whether the node always matches the empty string: it has nothing that can fail (`b?`, `(?:x*)`). */
function cannotFail(node: Regex): boolean {
  switch (node.kind) {
    case 'chars':
    case 'assert':
      return false;
    case 'empty':
      return true;
    case 'seq':
      return node.items.every(cannotFail);
    case 'alt':
      return node.options.some(cannotFail);
    case 'repeat':
      return node.min === 0 || cannotFail(node.body);
  }
}

/**
 * Whether some repetition in `node` can backtrack exponentially; `canFailAfter` is whether what follows the
 * node can fail, forcing the engine to try the other ways of splitting the text.
 */
function vulnerable(node: Regex, canFailAfter: boolean): boolean {
  switch (node.kind) {
    case 'repeat':
      return (
        (canFailAfter && (node.max === Infinity || node.max > LARGE) && ambiguousIterations(node.body)) ||
        vulnerable(node.body, true)
      );
    case 'seq':
      return node.items.some((item, index) =>
        vulnerable(item, canFailAfter || !node.items.slice(index + 1).every(cannotFail)),
      );
    case 'alt':
      return node.options.some((option) => vulnerable(option, canFailAfter));
    default:
      return false;
  }
}

/** Whether matching the pattern can take exponential time; false for patterns it cannot parse. */
export function catastrophicBacktracking(pattern: string, options: RegexOptions = {}): boolean {
  try {
    return vulnerable(parseRegex(pattern, options), options.flavor !== 'javascript');
  } catch {
    return false;
  }
}
