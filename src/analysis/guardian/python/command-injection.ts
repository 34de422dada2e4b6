import type { Node } from 'web-tree-sitter';
import { argument, children, isTrue, stringValue, type CallParts } from './ast.js';
import { shellFix } from './shell-fix.js';
import { sinkRule } from './sink-rule.js';
import { named } from './support.js';
import type { TaintAnalysis } from './taint.js';

const SHELL_CALLS = new Set([
  'os.system',
  'os.popen',
  'os.popen2',
  'os.popen3',
  'os.popen4',
  'commands.getoutput',
  'commands.getstatusoutput',
  'subprocess.getoutput',
  'subprocess.getstatusoutput',
]);

const SUBPROCESS = new Set([
  'subprocess.call',
  'subprocess.run',
  'subprocess.Popen',
  'subprocess.check_output',
  'subprocess.check_call',
  'asyncio.create_subprocess_shell',
]);

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', '/bin/sh', '/bin/bash', '/usr/bin/bash', 'cmd', 'cmd.exe']);

/** `os.exec*`/`os.spawn*`: the index of the program argument (`spawn*` take a mode first). */
function execProgramIndex(name: string | undefined): number | undefined {
  if (!name) return undefined;
  if (/^os\.exec(l|le|lp|lpe|v|ve|vp|vpe)$/.test(name)) return 0;
  if (/^os\.spawn(l|le|lp|lpe|v|ve|vp|vpe)$/.test(name)) return 1;
  if (name === 'os.posix_spawn' || name === 'os.posix_spawnp') return 0;
  return undefined;
}

/** The items of a list/tuple literal, directly or through the variable bound to it. */
function listItems(node: Node | undefined, taint: TaintAnalysis): Node[] | undefined {
  let value = node;
  if (value?.type === 'identifier') value = taint.bindingAt(value.text, value)?.value;
  return value && (value.type === 'list' || value.type === 'tuple') ? children(value) : undefined;
}

/** `[shell, "-c", script]`: the script is a shell command line. */
function shellScript(items: readonly (Node | undefined)[]): Node | undefined {
  const at = items.findIndex((item) => ['-c', '/c', '/C'].includes(stringValue(item) ?? ''));
  if (at < 1) return undefined;
  const shell = items
    .slice(0, at)
    .some((item) => SHELLS.has(stringValue(item) ?? '') || /\/(ba|z|da|k)?sh$/.test(stringValue(item) ?? ''));
  // `-c` after anything but a shell is an ordinary flag (`ping -c 3`, `wc -c`, `grep -c`)
  return shell ? items[at + 1] : undefined;
}

/**
 * The argument that only chooses the program to run, when no shell parses the call's arguments: reported
 * when it carries client data (the attacker picks the executable), not merely for being non-constant.
 */
function programArgument(parts: CallParts, taint: TaintAnalysis): Node | undefined {
  const execAt = execProgramIndex(parts.name);
  if (execAt !== undefined) return argument(parts, execAt, 'path') ?? argument(parts, execAt, 'file');
  if (!named(parts, SUBPROCESS) || isTrue(parts.keywords.get('shell'))) return undefined;
  if (parts.name === 'asyncio.create_subprocess_shell') return undefined;
  const first = argument(parts, 0, 'args');
  const items = listItems(first, taint);
  return items ? items[0] : first;
}

export const commandInjection = sinkRule({
  id: 'py.command-injection',
  issueType: 'command_injection',
  cwe: 'CWE-78',
  severity: 'critical',
  unknownSeverity: 'high',
  message: 'Shell command built from non-constant data: an attacker can run arbitrary commands.',
  remediation:
    'Call `subprocess.run([...])` with an argument list and without `shell=True`; if a shell is unavoidable, quote every value with `shlex.quote`.',
  kind: 'command',
  sink(parts, taint) {
    if (named(parts, SHELL_CALLS)) return [argument(parts, 0, 'cmd') ?? argument(parts, 0, 'command')];
    const execAt = execProgramIndex(parts.name);
    if (execAt !== undefined) {
      const program = argument(parts, execAt, 'path') ?? argument(parts, execAt, 'file');
      const rest = parts.positional.slice(execAt + 1);
      // `os.execv(path, [argv0, "-c", script])` or `os.execl(path, argv0, "-c", script)`
      const argv =
        /v(p?e?)$/.test(parts.name!) || parts.name!.startsWith('os.posix_spawn') ? listItems(rest[0], taint) : rest;
      const script = shellScript([program, ...(argv ?? [])]);
      return [script ?? program];
    }
    if (!named(parts, SUBPROCESS)) return undefined;
    const first = argument(parts, 0, 'args');
    // `subprocess.run(["sh", "-c", script])`: the script is a shell command line
    const items = listItems(first, taint);
    if (items) {
      const script = shellScript(items);
      if (script) return [script];
    }
    if (isTrue(parts.keywords.get('shell')) || parts.name === 'asyncio.create_subprocess_shell')
      return [first ?? argument(parts, 0, 'cmd')];
    // without a shell, the first element (or the whole string) names the program; a command string whose
    // first word is constant (`"grep -R {} .".format(x)`) fixes the program and can only pass it arguments
    return [items ? items[0] : first];
  },
  reportUnknown: (arg, taint, parts) => arg.id !== programArgument(parts, taint)?.id,
  fix: shellFix,
});
