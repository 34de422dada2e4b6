import { buildChanges } from '../changes.js';
import { languageOfPath, type Language } from '../languages.js';
import { parseSource, parsesCleanly } from '../guardian/parser.js';
import { suppressedRules } from '../guardian/suppression.js';
import type { EngineContext, Impact, ImperiumRule, RuleMatch, TextEdit } from './rule.js';
import { IMPERIUM_RULES } from './rules.js';
import { allNodes, applyEdits, lineAtOffset, offsetBefore } from './syntax.js';

export class UnsupportedLanguageError extends Error {
  readonly code = 'unsupported_language';
  constructor(filePath: string) {
    super(`Imperium does not optimise ${filePath}: supported are .js/.jsx/.mjs/.cjs, .ts/.tsx/.mts/.cts and .py.`);
    this.name = 'UnsupportedLanguageError';
  }
}

/** One improvement, applied (in `changes`) or only suggested. `line` is 1-based, in the original code. */
export interface EngineChange {
  readonly rule_id: string;
  readonly line: number;
  readonly explanation: string;
  readonly expected_impact: Impact;
  readonly confidence: number;
}

export interface OptimizeInput {
  readonly code: string;
  readonly filePath: string;
  readonly language?: Language | undefined;
  /** only rules with these impacts run; all when left out */
  readonly goals?: readonly Impact[] | undefined;
  /** the rules to run (all of the engine's when left out) */
  readonly rules?: readonly ImperiumRule[] | undefined;
}

export interface OptimizeResult {
  readonly language: Language;
  readonly optimizedCode: string;
  /** a unified diff from the code to optimizedCode ('' when nothing changed) */
  readonly diff: string;
  readonly changes: EngineChange[];
  readonly suggestions: EngineChange[];
  /** the input did not parse cleanly, so nothing was changed automatically */
  readonly parseErrors: boolean;
  readonly rulesRun: number;
  /** rules that threw (a bug, or input deeper than they walk): their matches were skipped */
  readonly failedRules: string[];
}

/** Passes over the code: a change can enable another (dead code removed → an import becomes unused). */
const MAX_PASSES = 10;

interface Found {
  readonly rule: ImperiumRule;
  readonly match: RuleMatch;
}

/**
 * Whether two matches' edits conflict: they overlap, or both delete and only whitespace lies between them.
 * Adjacent deletions are checked one at a time (the later one in the next pass) because each was judged
 * against neighbours that the other removes: in JavaScript, two statements deleted together could let the
 * code around them run into one statement.
 */
function conflicts(code: string, a: readonly TextEdit[], b: readonly TextEdit[]): boolean {
  return a.some((x) =>
    b.some((y) => {
      if (x.start < y.end && y.start < x.end) return true;
      if (x.replacement !== '' || y.replacement !== '') return false;
      const [first, second] = x.start <= y.start ? [x, y] : [y, x];
      return first.end <= second.start && code.slice(first.end, second.start).trim() === '';
    }),
  );
}

async function runRules(
  code: string,
  filePath: string,
  language: Language,
  rules: readonly ImperiumRule[],
  failedRules: Set<string>,
): Promise<{ found: Found[]; hasError: boolean }> {
  const tree = await parseSource(code, language);
  try {
    const nodes = allNodes(tree.rootNode);
    const byType = new Map<string, typeof nodes>();
    for (const node of nodes) {
      const list = byType.get(node.type);
      if (list) list.push(node);
      else byType.set(node.type, [node]);
    }
    const context: EngineContext = {
      code,
      filePath,
      language,
      tree,
      root: tree.rootNode,
      nodes,
      ofType: (...types) =>
        types.length === 1 ? (byType.get(types[0]!) ?? []) : nodes.filter((node) => types.includes(node.type)),
    };
    const suppressed = suppressedRules(code, language);
    const found: Found[] = [];
    for (const rule of rules) {
      let matches: RuleMatch[];
      try {
        matches = rule.check(context);
      } catch {
        failedRules.add(rule.id);
        continue;
      }
      for (const match of matches) {
        const line = match.node.startPosition.row + 1;
        const ignored = suppressed.get(line);
        if (ignored?.has(rule.id) || ignored?.has('*')) continue;
        // Positions are read now: the tree is freed when this pass ends.
        found.push({ rule, match: { ...match, node: match.node } });
      }
    }
    // Detach what later code needs from the tree before it is deleted.
    return {
      found: found.map(({ rule, match }) => ({
        rule,
        match: {
          node: { startIndex: match.node.startIndex } as RuleMatch['node'],
          ...(match.edits ? { edits: match.edits } : {}),
          ...(match.explanation ? { explanation: match.explanation } : {}),
        },
      })),
      hasError: tree.rootNode.hasError,
    };
  } finally {
    tree.delete();
  }
}

/**
 * Runs the engine on one file: parses it, lets every rule of its language find matches, applies the
 * automatic ones that do not overlap, and keeps only edits whose result still parses. Repeats until
 * nothing more changes, so the result is a fixed point (running the engine on it changes nothing).
 */
export async function optimizeCode(input: OptimizeInput): Promise<OptimizeResult> {
  const language = input.language ?? languageOfPath(input.filePath);
  if (!language) throw new UnsupportedLanguageError(input.filePath);
  const rules = (input.rules ?? IMPERIUM_RULES).filter(
    (rule) => rule.languages.includes(language) && (!input.goals || input.goals.includes(rule.impact)),
  );
  const original = input.code;
  const failedRules = new Set<string>();
  const changes: EngineChange[] = [];
  const suggestions: EngineChange[] = [];
  const suggested = new Set<string>();
  /** the edits of each pass, to map positions back to the original code */
  const history: TextEdit[][] = [];
  const originalOffset = (offset: number) =>
    history.reduceRight((position, edits) => offsetBefore(position, edits), offset);
  const describe = (rule: ImperiumRule, match: RuleMatch, offset: number): EngineChange => ({
    rule_id: rule.id,
    line: lineAtOffset(original, originalOffset(offset)),
    explanation: match.explanation ?? rule.explanation,
    expected_impact: rule.impact,
    confidence: rule.confidence,
  });

  let code = original;
  let parseErrors = false;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const { found, hasError } = await runRules(code, input.filePath, language, rules, failedRules);
    if (pass === 0) parseErrors = hasError;
    const accepted: Found[] = [];
    for (const item of found) {
      const { rule, match } = item;
      const automatic = !rule.suggestOnly && !parseErrors && match.edits !== undefined && match.edits.length > 0;
      if (!automatic) {
        const change = describe(rule, match, match.node.startIndex);
        const key = `${change.rule_id}:${change.line}:${change.explanation}`;
        if (!suggested.has(key)) {
          suggested.add(key);
          suggestions.push(change);
        }
        continue;
      }
      if (accepted.some((other) => conflicts(code, other.match.edits!, match.edits!))) continue;
      accepted.push(item);
    }
    if (accepted.length === 0) break;

    let candidates = accepted;
    let next = applyEdits(
      code,
      candidates.flatMap((item) => item.match.edits!),
    );
    if (next === undefined || !(await parsesCleanly(next, language))) {
      // Some edit breaks the syntax: keep only those that parse on their own, then check them together.
      const valid: Found[] = [];
      for (const item of accepted) {
        const alone = applyEdits(code, item.match.edits!);
        if (alone !== undefined && alone !== code && (await parsesCleanly(alone, language))) valid.push(item);
      }
      candidates = valid;
      next = applyEdits(
        code,
        candidates.flatMap((item) => item.match.edits!),
      );
      if (next !== undefined && !(await parsesCleanly(next, language))) candidates = valid.slice(0, 1);
      next = applyEdits(
        code,
        candidates.flatMap((item) => item.match.edits!),
      );
    }
    if (next === undefined || next === code || candidates.length === 0) break;
    for (const { rule, match } of candidates) {
      const start = Math.min(...match.edits!.map((edit) => edit.start));
      changes.push(describe(rule, match, start));
    }
    history.push(candidates.flatMap((item) => item.match.edits!).sort((a, b) => a.start - b.start || a.end - b.end));
    code = next;
  }

  const diff =
    code === original
      ? ''
      : buildChanges([{ file_path: input.filePath, code_before: original, code_after: code }]).diff;
  changes.sort((a, b) => a.line - b.line || a.rule_id.localeCompare(b.rule_id));
  suggestions.sort((a, b) => a.line - b.line || a.rule_id.localeCompare(b.rule_id));
  return {
    language,
    optimizedCode: code,
    diff,
    changes,
    suggestions,
    parseErrors,
    rulesRun: rules.length,
    failedRules: [...failedRules],
  };
}
