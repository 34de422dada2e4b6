import type { Node } from 'web-tree-sitter';
import type { Fix, RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { splitCommand, type CommandPart, type Word } from '../shell-words.js';
import { stringValue, unwrap } from './syntax.js';
import { type TaintAnalysis } from './taint.js';
import {
  callArguments,
  calleeOf,
  calleeParts,
  callsIn,
  defineRule,
  moduleNames,
  propertyOf,
  sinkConfidence,
} from './util.js';

const EXEC_METHODS = new Set(['exec', 'execSync']);
const SPAWN_METHODS = new Set(['spawn', 'spawnSync', 'execFile', 'execFileSync', 'fork']);
const FILE_VARIANT: Readonly<Record<string, string>> = { exec: 'execFile', execSync: 'execFileSync' };
const MODULE_OBJECTS = ['child_process', 'cp', 'childProcess', 'shell'];

/** The pieces of a command written inline: string literals, templates and `+` concatenations of them. */
function commandParts(node: Node): CommandPart[] | undefined {
  const target = unwrap(node);
  switch (target.type) {
    case 'string': {
      const fragments = target.namedChildren;
      if (fragments.some((f) => f.type !== 'string_fragment')) return undefined; // escapes
      return [{ text: fragments.map((f) => f.text).join('') }];
    }
    case 'template_string': {
      const parts: CommandPart[] = [];
      for (const child of target.namedChildren) {
        if (child.type === 'string_fragment') parts.push({ text: child.text });
        else if (child.type === 'template_substitution' && child.namedChild(0))
          parts.push({ expression: child.namedChild(0)!.text });
        else return undefined;
      }
      return parts;
    }
    case 'binary_expression': {
      if (target.childForFieldName('operator')?.text !== '+') return undefined;
      const left = target.childForFieldName('left');
      const right = target.childForFieldName('right');
      if (!left || !right) return undefined;
      const leftParts = commandParts(left);
      const rightParts = ['string', 'template_string', 'binary_expression'].includes(unwrap(right).type)
        ? commandParts(right)
        : [{ expression: right.text }];
      return leftParts && rightParts ? [...leftParts, ...rightParts] : undefined;
    }
    default:
      return undefined;
  }
}

const quoted = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const renderWord = (word: Word) =>
  word.map((part) => ('text' in part ? quoted(part.text) : `String(${part.expression})`)).join(' + ') || "''";

/** A constant array element a shell would have read as exactly that one word. */
function plainElement(element: Node): boolean {
  const target = unwrap(element);
  if (target.type !== 'string' && target.type !== 'template_string') return true; // a value: one argument
  const parts = commandParts(target);
  if (!parts || parts.some((part) => 'expression' in part)) return false;
  const text = parts.map((part) => ('text' in part ? part.text : '')).join('');
  const words = splitCommand([{ text: `x ${text}` }]);
  return words?.length === 2 && words[1]!.length === 1 && 'text' in words[1]![0]! && words[1]![0].text === text;
}

/** The edit removing an object property, with its separating comma. */
function removeProperty(pair: Node): { start: number; end: number; replacement: string } {
  const next = pair.nextSibling;
  if (next?.type === ',') {
    const after = next.nextSibling;
    return { start: pair.startIndex, end: after ? after.startIndex : next.endIndex, replacement: '' };
  }
  const previous = pair.previousSibling;
  if (previous?.type === ',') return { start: previous.startIndex, end: pair.endIndex, replacement: '' };
  return { start: pair.startIndex, end: pair.endIndex, replacement: '' };
}

/** `exec('ping -c 1 ' + host)` → `execFile('ping', ['-c', '1', String(host)])`: the same program and words, no shell. */
function execFix(call: Node, method: string, modules: ReadonlySet<string>): Fix | undefined {
  // only `child_process` has the `execFile` twins (shelljs's `exec` has none)
  const callee = calleeOf(call);
  const args = callArguments(call);
  const command = args[0];
  if (!callee || !command) return undefined;
  const options = args[1] && unwrap(args[1]).type === 'object' ? args[1] : undefined;
  if (options && propertyOf(options, 'shell') !== undefined) return undefined;
  const parts = commandParts(command);
  const words = parts && splitCommand(parts);
  if (!words) return undefined;
  const variant = FILE_VARIANT[method]!;
  let name: Node | null;
  if (callee.type === 'member_expression') {
    const object = callee.childForFieldName('object')?.text ?? '';
    if (!modules.has(object) && object !== 'child_process') return undefined;
    name = callee.childForFieldName('property');
  } else if (callee.type === 'identifier' && modules.has(variant)) name = callee;
  else return undefined;
  if (!name) return undefined;
  const [program, ...rest] = words;
  return {
    description: `Run the program without a shell: \`${variant}\` with an argument array, so values cannot add shell syntax.`,
    edits: [
      { start: name.startIndex, end: name.endIndex, replacement: variant },
      {
        start: command.startIndex,
        end: command.endIndex,
        replacement: `${renderWord(program!)}, [${rest.map(renderWord).join(', ')}]`,
      },
    ],
  };
}

/** `spawn(cmd, args, { shell: true })` → the same words as an argument array, without `shell: true`. */
function spawnFix(call: Node, options: Node, shell: Node): Fix | undefined {
  if (shell.type !== 'true') return undefined;
  const args = callArguments(call);
  const command = args[0];
  if (!command) return undefined;
  const parts = commandParts(command);
  const words = parts && splitCommand(parts);
  if (!words) return undefined;
  const list = args[1] && args[1] !== options ? unwrap(args[1]) : undefined;
  if (list && (list.type !== 'array' || !list.namedChildren.every(plainElement))) return undefined;
  const [program, ...rest] = words;
  const elements = [...rest.map(renderWord), ...(list?.namedChildren.map((e) => e.text) ?? [])];
  const edits = [removeProperty(shell.parent!)];
  if (list) {
    edits.push({
      start: command.startIndex,
      end: list.endIndex,
      replacement: `${renderWord(program!)}, [${elements.join(', ')}]`,
    });
  } else {
    edits.push({
      start: command.startIndex,
      end: command.endIndex,
      replacement: `${renderWord(program!)}, [${elements.join(', ')}]`,
    });
  }
  return {
    description: 'Drop `shell: true` and pass the arguments as an array, so values cannot add shell syntax.',
    edits,
  };
}

const SHELLS = new Set([
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  '/bin/sh',
  '/bin/bash',
  '/usr/bin/bash',
  'cmd',
  'cmd.exe',
  'powershell',
  'pwsh',
]);

/** The script of `spawn('sh', ['-c', script])` / `execFile('cmd', ['/c', script])`, if the call runs one. */
function shellScript(args: readonly Node[]): Node | undefined {
  const program = stringValue(args[0]);
  const list = args[1] ? unwrap(args[1]) : undefined;
  if (!program || !SHELLS.has(program) || list?.type !== 'array') return undefined;
  const items = list.namedChildren;
  const flag = items.findIndex((item) => ['-c', '/c', '/C', '-Command', '-command'].includes(stringValue(item) ?? ''));
  return flag >= 0 ? items[flag + 1] : undefined;
}

/** The function a call really makes: `run` for `const run = util.promisify(cp.exec)` is `cp.exec`. */
function effectiveCallee(call: Node, taint: TaintAnalysis): { object: string; method: string; alias: boolean } {
  const { object, method } = calleeParts(call);
  const callee = calleeOf(call);
  if (callee?.type !== 'identifier') return { object, method, alias: false };
  const bound = taint.resolve(callee);
  if (bound.type === 'call_expression' && ['promisify', 'util.promisify'].includes(calleeParts(bound).full)) {
    const wrapped = callArguments(bound)[0];
    if (wrapped) {
      const target = unwrap(wrapped);
      if (target.type === 'member_expression')
        return {
          object: target.childForFieldName('object')?.text ?? '',
          method: target.childForFieldName('property')?.text ?? '',
          alias: true,
        };
      if (target.type === 'identifier') return { object: '', method: target.text, alias: true };
    }
  }
  return { object, method, alias: false };
}

export const commandInjection: Rule = defineRule({
  id: 'js.command-injection',
  issueType: 'command_injection',
  cwe: 'CWE-78',
  severity: 'critical',
  message: 'Shell command built from non-constant data: an attacker can run arbitrary commands.',
  remediation:
    'Use `execFile`/`spawn` with a constant program and an argument array, without `shell: true`; validate arguments against an allow-list.',
  check({ root }, taint) {
    const modules = moduleNames(root, ['child_process', 'shelljs']);
    const childProcess = moduleNames(root, ['child_process']);
    if (modules.size === 0) return [];
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      if (call.type !== 'call_expression') continue;
      const { object, method, alias } = effectiveCallee(call, taint);
      if (object ? !modules.has(object) && !MODULE_OBJECTS.includes(object) : !modules.has(method)) continue;
      const args = callArguments(call);
      const first = args[0];
      if (!first) continue;
      if (EXEC_METHODS.has(method)) {
        const confidence = sinkConfidence(first, taint, true);
        const fix = alias ? undefined : execFix(call, method, childProcess);
        if (confidence) matches.push({ node: call, confidence, ...(fix ? { fix } : {}) });
      } else if (SPAWN_METHODS.has(method) && shellScript(args)) {
        // `spawn('sh', ['-c', script])`: the script is a shell command line
        const confidence = sinkConfidence(shellScript(args)!, taint, true);
        if (confidence) matches.push({ node: call, confidence });
      } else if (SPAWN_METHODS.has(method)) {
        const options = args.find((a) => unwrap(a).type === 'object');
        const shell = options ? propertyOf(options, 'shell') : undefined;
        const usesShell = shell !== undefined && shell.type !== 'false';
        const checked = usesShell ? args.filter((a) => a !== options) : [first];
        const levels = checked.map((a) => sinkConfidence(a, taint, usesShell));
        const confidence = levels.includes('high') ? 'high' : levels.includes('medium') ? 'medium' : undefined;
        const fix = usesShell && options && shell ? spawnFix(call, options, shell) : undefined;
        if (confidence) matches.push({ node: call, confidence, ...(fix ? { fix } : {}) });
      }
    }
    return matches;
  },
});
