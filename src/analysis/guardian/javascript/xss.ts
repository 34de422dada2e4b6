import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { dottedName, enclosingFunction, stringValue, unwrap } from './syntax.js';
import {
  callArguments,
  calleeParts,
  callsIn,
  defineRule,
  isStringBuilding,
  propertyOf,
  sinkConfidence,
  constantText,
  RESPONSE_OBJECTS,
} from './util.js';

const HTML_PROPERTIES = new Set(['innerHTML', 'outerHTML']);

const ANGULAR_BYPASS = /^bypassSecurityTrust(Html|Script|Style|Url|ResourceUrl)$/;

const HTML_TYPES = /html|xml|svg/i;

/** The content type a handler sets on its response (`writeHead(200, {'Content-Type': …})`, `res.type('json')`…). */
function declaredContentType(call: Node, response: string): string | undefined {
  const scope = enclosingFunction(call);
  if (!scope) return undefined;
  for (const other of callsIn(scope)) {
    if (other.startIndex > call.startIndex) break;
    const { object, method } = calleeParts(other);
    if (object !== response) continue;
    const args = callArguments(other);
    if (method === 'json' || method === 'jsonp') return 'application/json';
    if (method === 'type' || method === 'contentType') return stringValue(args[0]);
    if (['setHeader', 'header', 'set'].includes(method) && stringValue(args[0])?.toLowerCase() === 'content-type')
      return stringValue(args[1]);
    if (method === 'writeHead') {
      const headers = args.find((a) => unwrap(a).type === 'object');
      const type = headers ? (propertyOf(headers, 'Content-Type') ?? propertyOf(headers, 'content-type')) : undefined;
      if (type) return stringValue(type);
    }
  }
  return undefined;
}

/** Whether the file loads Fastify (`require('fastify')`, `import Fastify from 'fastify'`). */
function usesFastify(root: Node): boolean {
  for (const node of root.descendantsOfType(['import_statement', 'call_expression'])) {
    const source =
      node.type === 'import_statement'
        ? node.childForFieldName('source')
        : node.childForFieldName('function')?.text === 'require'
          ? callArguments(node)[0]
          : undefined;
    if (stringValue(source) === 'fastify') return true;
  }
  return false;
}

/** Whether an expression builds markup: a string or template whose constant text contains a tag. */
function buildsHtml(node: Node): boolean {
  return isStringBuilding(node) && /<[a-zA-Z!/]/.test(constantText(node));
}

export const xss: Rule = defineRule({
  id: 'js.xss',
  issueType: 'xss',
  cwe: 'CWE-79',
  severity: 'high',
  message: 'Non-constant data written as HTML: an attacker can inject scripts into the page.',
  remediation:
    'Use `textContent` or framework bindings that escape by default; when HTML is really needed, sanitise it with DOMPurify first and set a Content-Security-Policy.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    for (const assignment of root.descendantsOfType(['assignment_expression', 'augmented_assignment_expression'])) {
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      if (left?.type !== 'member_expression' || !right) continue;
      const property = left.childForFieldName('property')?.text ?? '';
      if (HTML_PROPERTIES.has(property)) {
        const confidence = sinkConfidence(right, taint, true);
        if (confidence) matches.push({ node: assignment, confidence });
      } else if (
        property === 'body' &&
        ['ctx', 'ctx.response', 'context'].includes(dottedName(left.childForFieldName('object')) ?? '')
      ) {
        // Koa: a string body is sent as text/html
        const value = taint.resolve(right);
        if (buildsHtml(value) && taint.isTainted(right)) matches.push({ node: assignment, confidence: 'high' });
      }
    }
    for (const call of callsIn(root)) {
      if (call.type !== 'call_expression') continue;
      const { full, object, method } = calleeParts(call);
      const args = callArguments(call);
      let value: Node | undefined;
      let anyUnknown = true;
      if (full === 'document.write' || full === 'document.writeln') value = args[0];
      else if (method === 'insertAdjacentHTML' && object) value = args[1];
      else if (['send', 'write', 'end'].includes(method) && RESPONSE_OBJECTS.has(object)) {
        value = args[0];
        anyUnknown = false;
        if (value && taint.level(value) !== 'tainted') continue;
        // `res.send({ … })` / `res.send([…])` serialises the value as JSON: no markup is written
        if (method === 'send' && value && ['object', 'array'].includes(unwrap(taint.resolve(value)).type)) continue;
        const type = declaredContentType(call, object);
        if (type !== undefined && !HTML_TYPES.test(type)) continue;
        // Fastify sends a string as text/plain and an object as JSON unless the handler declares HTML
        if (type === undefined && method === 'send' && (object === 'reply' || usesFastify(root))) continue;
      }
      const confidence = value ? sinkConfidence(value, taint, anyUnknown) : undefined;
      if (confidence) matches.push({ node: call, confidence });
    }
    for (const call of callsIn(root)) {
      // Angular: `DomSanitizer.bypassSecurityTrustHtml(x)` marks x as trusted, so the template renders it unsanitised
      if (call.type !== 'call_expression' || !ANGULAR_BYPASS.test(calleeParts(call).method)) continue;
      const value = callArguments(call)[0];
      const confidence = value ? sinkConfidence(value, taint, true) : undefined;
      if (confidence) matches.push({ node: call, confidence });
    }
    for (const attribute of root.descendantsOfType('jsx_attribute')) {
      if (attribute.namedChild(0)?.text !== 'dangerouslySetInnerHTML') continue;
      const expression = attribute.namedChildren.find((c) => c.type === 'jsx_expression')?.namedChild(0);
      if (!expression) continue;
      const html = propertyOf(taint.resolve(expression), '__html');
      const confidence = html ? sinkConfidence(html, taint, true) : sinkConfidence(expression, taint, true);
      if (confidence) matches.push({ node: attribute, confidence });
    }
    return matches;
  },
});
