import type { Node } from 'web-tree-sitter';
import type { Fix, TextEdit } from '../finding.js';
import { splitCommand, type CommandPart, type Word } from '../shell-words.js';
import { children, type CallParts } from './ast.js';

/**
 * `subprocess.run(f"ping -c 1 {host}", shell=True)` → `subprocess.run(["ping", "-c", "1", str(host)])`: the
 * words the shell would have split, passed as an argument list without a shell. Offered only when the split
 * is unambiguous (see shell-words.ts) and the command is written inline as literals, f-strings and `+`.
 */

const SUBPROCESS_CALLS = new Set([
  'subprocess.run',
  'subprocess.call',
  'subprocess.Popen',
  'subprocess.check_output',
  'subprocess.check_call',
]);

function stringParts(node: Node): CommandPart[] | undefined {
  const start = children(node)[0];
  if (start?.type !== 'string_start' || /[bB]/.test(start.text) || /'''|"""/.test(start.text)) return undefined;
  const parts: CommandPart[] = [];
  for (const child of children(node)) {
    if (child.type === 'string_start' || child.type === 'string_end') continue;
    if (child.type === 'string_content') parts.push({ text: child.text });
    else if (child.type === 'interpolation') {
      const expression = child.childForFieldName('expression');
      // `{x!r}`, `{x:>8}` and `{x=}` format the value: not the plain `str(x)` an argument list needs
      if (!expression || children(child).length !== 1 || child.text.endsWith('=}')) return undefined;
      parts.push({ expression: expression.text });
    } else return undefined; // escape sequences, `{{`
  }
  return parts;
}

function commandParts(node: Node): CommandPart[] | undefined {
  if (node.type === 'string') return stringParts(node);
  if (node.type === 'parenthesized_expression') {
    const inner = children(node)[0];
    return inner ? commandParts(inner) : undefined;
  }
  if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '+') {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) return undefined;
    const leftParts = commandParts(left);
    const rightParts = ['string', 'binary_operator', 'parenthesized_expression'].includes(right.type)
      ? commandParts(right)
      : [{ expression: right.text }];
    return leftParts && rightParts ? [...leftParts, ...rightParts] : undefined;
  }
  return undefined;
}

const literal = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const renderWord = (word: Word) =>
  word.map((part) => ('text' in part ? literal(part.text) : `str(${part.expression})`)).join(' + ') || '""';

/** The edit removing a keyword argument and the comma before it. */
function removeArgument(argument: Node): TextEdit {
  const previous = argument.previousSibling;
  const start = previous?.type === ',' ? previous.startIndex : argument.startIndex;
  return { start, end: argument.endIndex, replacement: '' };
}

export function shellFix(parts: CallParts): Fix | undefined {
  if (!parts.name || !SUBPROCESS_CALLS.has(parts.name)) return undefined;
  const shell = parts.keywords.get('shell');
  if (shell?.type !== 'true' || parts.keywords.has('executable')) return undefined;
  const command = parts.positional[0];
  if (!command) return undefined;
  const pieces = commandParts(command);
  const words = pieces && splitCommand(pieces);
  if (!words) return undefined;
  return {
    description:
      'Run the program without a shell: pass the words as a list and drop `shell=True`, so values cannot add shell syntax.',
    edits: [
      { start: command.startIndex, end: command.endIndex, replacement: `[${words.map(renderWord).join(', ')}]` },
      removeArgument(shell.parent!),
    ],
  };
}
