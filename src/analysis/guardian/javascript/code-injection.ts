import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import type { TaintAnalysis } from './taint.js';
import { callArguments, calleeOf, calleeParts, callsIn, defineRule, sinkConfidence, PAGE_OBJECT } from './util.js';

const VM_METHODS = new Set(['runInNewContext', 'runInThisContext', 'runInContext', 'compileFunction']);

/** Sandboxes whose `run(code)` evaluates a string as JavaScript (vm2, sandbox): escapes are routinely found. */
const SANDBOX_CLASSES = new Set(['VM', 'NodeVM', 'vm2.VM', 'vm2.NodeVM', 'Sandbox']);

/** Constructors compiling their first argument as code (vm2's `VMScript`, Node's `vm.SourceTextModule`). */
const CODE_CONSTRUCTORS = new Set(['VMScript', 'vm2.VMScript', 'vm.SourceTextModule', 'SourceTextModule']);

/** Headless-browser methods running a string as page script (Puppeteer, Playwright); a function is not code text. */
const PAGE_EVAL_METHODS = new Set(['evaluate', 'evaluateOnNewDocument', 'evaluateHandle', 'addInitScript']);

/** True when the receiver of a call is (a variable bound to) `new C(…)` with C one of the classes. */
function constructedFrom(receiver: Node | null, classes: ReadonlySet<string>, taint: TaintAnalysis): boolean {
  if (!receiver) return false;
  const value = taint.resolve(receiver);
  return value.type === 'new_expression' && classes.has(calleeParts(value).full);
}

export const codeInjection: Rule = defineRule({
  id: 'js.code-injection',
  issueType: 'code_injection',
  cwe: 'CWE-95',
  severity: 'critical',
  message: 'Code evaluated from non-constant data: an attacker can run arbitrary JavaScript.',
  remediation:
    'Do not evaluate strings as code: parse data with `JSON.parse`, map names to functions with an allow-list, and pass functions (not strings) to `setTimeout`/`setInterval`.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      const { full, object, method } = calleeParts(call);
      const args = callArguments(call);
      let checked: Node[] = [];
      let anyUnknown = true;
      if (full === 'eval' || full === 'window.eval' || full === 'globalThis.eval') checked = args.slice(0, 1);
      else if (full === 'Function') checked = args;
      else if ((object === 'vm' && VM_METHODS.has(method)) || full === 'vm.Script' || full === 'Script') {
        if (full === 'Script' && call.type !== 'new_expression') continue;
        checked = args.slice(0, 1);
      } else if (
        method === 'run' &&
        call.type === 'call_expression' &&
        constructedFrom(calleeOf(call)?.childForFieldName('object') ?? null, SANDBOX_CLASSES, taint)
      ) {
        checked = args.slice(0, 1);
      } else if (call.type === 'new_expression' && CODE_CONSTRUCTORS.has(full)) {
        checked = args.slice(0, 1);
      } else if (PAGE_EVAL_METHODS.has(method) && PAGE_OBJECT.test(object)) {
        const first = args[0];
        if (!first || !['string', 'template_string', 'binary_expression'].includes(taint.resolve(first).type)) continue;
        checked = [first];
        anyUnknown = false;
      } else if (
        ['setTimeout', 'setInterval', 'setImmediate', 'window.setTimeout', 'window.setInterval'].includes(full)
      ) {
        const first = args[0];
        if (!first) continue;
        const value = taint.resolve(first);
        // a string is evaluated as code; request data is a string, never a function
        if (!['string', 'template_string', 'binary_expression'].includes(value.type) && !taint.isTainted(first))
          continue;
        checked = [first];
        anyUnknown = false;
      } else continue;
      const confidences = checked.map((a) => sinkConfidence(a, taint, anyUnknown));
      const confidence = confidences.includes('high') ? 'high' : confidences.includes('medium') ? 'medium' : undefined;
      if (confidence) matches.push({ node: call, confidence });
    }
    return matches;
  },
});
