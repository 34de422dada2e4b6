import type { Node } from 'web-tree-sitter';
import type { EngineContext, ImperiumRule, RuleMatch, TextEdit } from '../rule.js';
import { hasDynamicNames, isPlainString, isRebound, mentions } from './scope.js';

const SCOPES = new Set(['function_definition', 'lambda', 'class_definition']);
const STR_RESULTS = new Set(['str', 'repr', 'chr', 'ascii', 'format']);

/** Whether the expression always evaluates to a str (or raises while being evaluated). */
function isProvablyStr(context: EngineContext, node: Node | null): boolean {
  if (!node) return false;
  switch (node.type) {
    case 'string':
    case 'concatenated_string': {
      const prefix = (node.type === 'string' ? node : node.namedChildren[0])?.namedChildren[0]?.text ?? '';
      return !/b/i.test(prefix.replace(/['"]+$/, ''));
    }
    case 'parenthesized_expression':
      return isProvablyStr(context, node.namedChildren[0] ?? null);
    case 'binary_operator':
      return (
        node.childForFieldName('operator')?.type === '+' &&
        isProvablyStr(context, node.childForFieldName('left')) &&
        isProvablyStr(context, node.childForFieldName('right'))
      );
    case 'call': {
      const callee = node.childForFieldName('function');
      if (callee?.type === 'identifier') return STR_RESULTS.has(callee.text) && !isRebound(context, callee.text);
      if (callee?.type === 'attribute') {
        const method = callee.childForFieldName('attribute')?.text ?? '';
        return ['join', 'format'].includes(method) && isPlainString(callee.childForFieldName('object'));
      }
      return false;
    }
    default:
      return false;
  }
}

/** The statement before `statement` in its block, skipping comments. */
function previousStatement(statement: Node): Node | undefined {
  for (let current = statement.previousNamedSibling; current; current = current.previousNamedSibling) {
    if (current.type !== 'comment') return current;
  }
  return undefined;
}

function insideNestedScope(node: Node, boundary: Node): boolean {
  for (let current = node.parent; current && current.id !== boundary.id; current = current.parent) {
    if (SCOPES.has(current.type)) return true;
  }
  return false;
}

function freshName(context: EngineContext, base: string): string {
  const taken = mentions(context);
  for (let suffix = 0; ; suffix++) {
    const name = suffix === 0 ? base : `${base}${suffix + 1}`;
    if (!taken.has(name)) return name;
  }
}

export const stringJoinRule: ImperiumRule = {
  id: 'py.string-join-in-loop',
  title: "String `+=` in a loop → list and `''.join`",
  languages: ['python'],
  impact: 'performance',
  confidence: 0.7,
  suggestOnly: false,
  explanation:
    'Appending to a string in a loop can copy the string on every iteration (quadratic time; CPython only ' +
    'sometimes avoids it); collecting the pieces in a list and joining once is linear.',
  precondition:
    "A for loop (without else) in a function, not inside try or with, is directly preceded by `s = '<str literal>'`; " +
    'inside the loop `s` is only the target of `s += <expr>` (never read), every <expr> is provably a str ' +
    '(a str literal, f-string, str()/repr()/chr()/ascii()/format() not rebound, a literal .join/.format, or a ' +
    "`+` of those), `s` is not global/nonlocal or used by a nested function, and the file doesn't use " +
    'eval/exec/locals/globals/vars. Then `s` gets its value after the loop, exactly as before. Otherwise reported only.',
  check(context) {
    if (hasDynamicNames(context)) return [];
    const matches: RuleMatch[] = [];
    for (const loop of context.ofType('for_statement')) {
      const body = loop.childForFieldName('body');
      if (!body) continue;
      const appends = new Map<string, Node[]>();
      for (const assignment of body.descendantsOfType(['augmented_assignment'])) {
        const target = assignment.childForFieldName('left');
        if (assignment.childForFieldName('operator')?.type !== '+=' || target?.type !== 'identifier') continue;
        if (insideNestedScope(assignment, loop)) continue;
        appends.set(target.text, [...(appends.get(target.text) ?? []), assignment]);
      }
      for (const [name, assignments] of appends) {
        const init = previousStatement(loop);
        const initAssignment = init?.type === 'expression_statement' ? init.namedChildren[0] : undefined;
        const initValue = initAssignment?.childForFieldName('right');
        if (
          initAssignment?.type !== 'assignment' ||
          initAssignment.childForFieldName('left')?.text !== name ||
          initAssignment.childForFieldName('type') ||
          !initValue ||
          !isPlainString(initValue)
        ) {
          continue;
        }
        const reasons: string[] = [];
        let fn: Node | undefined;
        for (let current = loop.parent; current; current = current.parent) {
          if (current.type === 'try_statement' || current.type === 'with_statement') {
            if (!fn) reasons.push('the loop is inside try or with, where a partly built string may be observed');
          }
          if (SCOPES.has(current.type)) {
            if (current.type === 'function_definition') fn = current;
            break;
          }
        }
        if (!fn) reasons.push('the loop is not in a function, so the variable may be seen from elsewhere');
        if (loop.childForFieldName('alternative')) reasons.push('the loop has an else clause');
        const targets = new Set(assignments.map((assignment) => assignment.childForFieldName('left')!.id));
        const scope = fn ?? context.root;
        for (const node of scope.descendantsOfType(['identifier'])) {
          if (node.text !== name || targets.has(node.id) || node.id === initAssignment.childForFieldName('left')!.id)
            continue;
          if (node.parent?.type === 'global_statement' || node.parent?.type === 'nonlocal_statement') {
            reasons.push(`\`${name}\` is declared global or nonlocal`);
          } else if (insideNestedScope(node, scope)) {
            reasons.push(`a nested function or class uses \`${name}\``);
          } else if (node.startIndex >= loop.startIndex && node.endIndex <= loop.endIndex) {
            reasons.push(`\`${name}\` is read inside the loop`);
          } else if (node.startIndex > init!.startIndex && node.endIndex < loop.startIndex) {
            reasons.push(`\`${name}\` is used between its initialisation and the loop`);
          }
        }
        const values = assignments.map((assignment) => assignment.childForFieldName('right'));
        if (!values.every((value) => isProvablyStr(context, value))) {
          reasons.push('an appended value is not provably a str (join raises TypeError later than += would)');
        }
        if (reasons.length > 0) {
          matches.push({
            node: assignments[0]!,
            explanation: `\`${name} +=\` in a loop builds the string piece by piece; collecting the pieces in a list and joining once is linear. Not applied: ${[...new Set(reasons)].join('; ')}.`,
          });
          continue;
        }
        const lineStart = context.code.lastIndexOf('\n', loop.startIndex - 1) + 1;
        const indent = context.code.slice(lineStart, loop.startIndex);
        if (indent.trim() !== '') continue;
        const parts = freshName(context, `${name}_parts`);
        const quote = initValue.text.match(/['"]/)?.[0] ?? "'";
        const empty = /^[rRuU]?(['"])\1$|^[rRuU]?('''|""")\2$/.test(initValue.text);
        const newline = context.code.indexOf('\n', loop.endIndex);
        const insertAt = newline === -1 ? context.code.length : newline;
        const edits: TextEdit[] = [
          {
            start: initAssignment.startIndex,
            end: initAssignment.endIndex,
            replacement: `${parts} = [${empty ? '' : initValue.text}]`,
          },
          ...assignments.map((assignment) => ({
            start: assignment.startIndex,
            end: assignment.endIndex,
            replacement: `${parts}.append(${assignment.childForFieldName('right')!.text})`,
          })),
          { start: insertAt, end: insertAt, replacement: `\n${indent}${name} = ${quote}${quote}.join(${parts})` },
        ];
        matches.push({ node: assignments[0]!, edits });
      }
    }
    return matches;
  },
};
