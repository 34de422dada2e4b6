import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { dottedName, enclosingFunction } from './syntax.js';
import { calleeParts, callsIn, declares, defineRule, moduleNames } from './util.js';

const SECRET_NAME =
  /token|secret|passw|pwd|nonce|salt|otp|csrf|xsrf|session|api_?key|(^|[a-z_])(id|key|uuid|code|pin)$|[a-z](Id|ID|Key|Uuid|Code|Pin)$|^(oauth_?)?state$|oauthState/i;

/** The name a value is given: variable, assigned property, object key, or the function returning it. */
export function receivingName(node: Node): string | undefined {
  let current = node;
  for (let parent = current.parent; parent; current = parent, parent = parent.parent) {
    switch (parent.type) {
      case 'variable_declarator':
        return parent.childForFieldName('name')?.text;
      case 'assignment_expression':
      case 'augmented_assignment_expression':
        return dottedName(parent.childForFieldName('left'))?.split('.').pop();
      case 'pair':
        return parent.childForFieldName('key')?.text.replace(/['"]/g, '');
      case 'return_statement':
      case 'arrow_function': {
        const fn = parent.type === 'arrow_function' ? parent : enclosingFunction(parent);
        if (!fn) return undefined;
        const named = fn.childForFieldName('name')?.text;
        if (named) return named;
        return fn.parent?.type === 'variable_declarator' ? fn.parent.childForFieldName('name')?.text : undefined;
      }
      case 'statement_block':
      case 'expression_statement':
      case 'program':
        return undefined;
      default:
        continue;
    }
  }
  return undefined;
}

/**
 * The expression `Math.random().toString(radix)[.slice|substring|substr(…)]…` whose value is only used as an
 * opaque string, which `crypto.randomUUID()` replaces safely.
 */
function stringTokenChain(random: Node): Node | undefined {
  let current = random;
  let sawToString = false;
  for (;;) {
    const member = current.parent;
    if (member?.type !== 'member_expression' || member.childForFieldName('object')?.id !== current.id) break;
    const call = member.parent;
    if (call?.type !== 'call_expression') break;
    const method = member.childForFieldName('property')?.text ?? '';
    if (method === 'toString') sawToString = true;
    else if (!sawToString || !['slice', 'substring', 'substr', 'toUpperCase', 'toLowerCase'].includes(method))
      return undefined;
    current = call;
  }
  if (!sawToString) return undefined;
  const parent = current.parent;
  return parent?.type === 'binary_expression' ? undefined : current;
}

export const insecureRandomness: Rule = defineRule({
  id: 'js.insecure-randomness',
  issueType: 'insecure_randomness',
  cwe: 'CWE-338',
  severity: 'medium',
  message: '`Math.random()` is predictable and must not produce tokens, secrets, passwords, keys or identifiers.',
  remediation:
    'Use a cryptographically secure generator: `crypto.randomUUID()`, `crypto.randomBytes(n)` or `crypto.getRandomValues`.',
  check({ root }) {
    const named = [...moduleNames(root, ['crypto'])].find((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'randomBytes');
    const shadowed = declares(root, 'crypto') && named !== 'crypto';
    const cryptoName = named ?? (shadowed ? undefined : 'crypto');
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      if (calleeParts(call).full !== 'Math.random') continue;
      const name = receivingName(call);
      if (!name || !SECRET_NAME.test(name)) continue;
      const chain = stringTokenChain(call);
      const fix =
        chain && cryptoName
          ? {
              description: `Replace with \`${cryptoName}.randomUUID()\``,
              edits: [{ start: chain.startIndex, end: chain.endIndex, replacement: `${cryptoName}.randomUUID()` }],
            }
          : undefined;
      matches.push({
        node: call,
        confidence: 'high',
        message: `\`Math.random()\` produces \`${name}\`, which must be unpredictable.`,
        ...(fix ? { fix } : {}),
      });
    }
    // `crypto.pseudoRandomBytes`: deprecated, and not guaranteed to be cryptographically strong
    const cryptoNames = moduleNames(root, ['crypto']);
    if (!shadowed) cryptoNames.add('crypto');
    for (const member of root.descendantsOfType('member_expression')) {
      const property = member.childForFieldName('property');
      if (property?.text !== 'pseudoRandomBytes') continue;
      if (!cryptoNames.has(dottedName(member.childForFieldName('object')) ?? '')) continue;
      matches.push({
        node: member,
        confidence: 'high',
        message: '`crypto.pseudoRandomBytes` is deprecated and its output is not guaranteed to be unpredictable.',
        fix: {
          description: 'Use `randomBytes`, which takes the same arguments',
          edits: [{ start: property.startIndex, end: property.endIndex, replacement: 'randomBytes' }],
        },
      });
    }
    return matches;
  },
});
