import type { Node } from 'web-tree-sitter';
import { argument } from './ast.js';
import { sinkRule, always } from './sink-rule.js';

/** Whether a call is an argument of the builtin `eval`/`exec`. */
function codeRunner(call: Node): boolean {
  const outer = call.parent?.type === 'argument_list' ? call.parent.parent : undefined;
  const callee = outer?.type === 'call' ? outer.childForFieldName('function') : undefined;
  return callee?.type === 'identifier' && ['eval', 'exec'].includes(callee.text);
}

export const codeInjection = sinkRule({
  id: 'py.code-injection',
  issueType: 'code_injection',
  cwe: 'CWE-95',
  severity: 'critical',
  unknownSeverity: 'high',
  message: 'Dynamic code evaluation of non-constant data: an attacker can run arbitrary Python code.',
  remediation:
    'Do not `eval`/`exec`/`compile` data; parse it instead (`json.loads`, `ast.literal_eval` for literals) or dispatch through an explicit mapping.',
  kind: 'code',
  sink(parts, taint) {
    const name = parts.callee.type === 'identifier' ? parts.callee.text : '';
    if (!['eval', 'exec', 'compile'].includes(name)) return undefined;
    // `compile` is also the name of common functions that evaluate nothing (`from re import compile`,
    // `from py_compile import compile`, a module's own `def compile`): only the builtin compiles code
    if (name === 'compile' && !taint.isBuiltin(name)) return undefined;
    // `exec(compile(source, …))`: one evaluation, reported at `exec`
    if (name === 'compile' && codeRunner(parts.call)) return undefined;
    return [argument(parts, 0, 'source')];
  },
  reportUnknown: always,
});
