import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { requestUrl } from './injection.js';
import { dottedName, enclosingFunction, stringValue, unwrap } from './taint.js';
import { callArguments, calleeParts, callsIn, defineRule, moduleNames, propertyOf, sinkConfidence } from './util.js';

const WEAK_HASHES = /^(md2|md4|md5|sha1|sha-1|ripemd|ripemd160)$/i;
const PASSWORD = /pass(word|wd|phrase)?|pwd/i;

/** The argument of a `.update(x)` chained on a hash call, if any. */
function hashedValue(call: Node): Node | undefined {
  const member = call.parent;
  if (member?.type !== 'member_expression' || member.childForFieldName('property')?.text !== 'update') return undefined;
  const update = member.parent;
  return update?.type === 'call_expression' ? callArguments(update)[0] : undefined;
}

function weakHashCalls(root: Node): { call: Node; algorithm: string; password: boolean }[] {
  const result = [];
  for (const call of callsIn(root)) {
    const { method } = calleeParts(call);
    if (method !== 'createHash') continue;
    const algorithm = stringValue(callArguments(call)[0]);
    if (!algorithm || !WEAK_HASHES.test(algorithm)) continue;
    const value = hashedValue(call);
    result.push({ call, algorithm, password: value !== undefined && PASSWORD.test(value.text) });
  }
  return result;
}

export const weakHash: Rule = defineRule({
  id: 'js.weak-hash',
  issueType: 'weak_crypto',
  cwe: 'CWE-328',
  severity: 'medium',
  message: 'MD5/SHA-1 are broken for collision resistance and must not protect integrity or authenticity.',
  remediation:
    'Use SHA-256 or stronger (`crypto.createHash("sha256")`), or an HMAC with a secret key for authenticity.',
  check({ root }) {
    return weakHashCalls(root)
      .filter((h) => !h.password)
      .map((h) => ({ node: h.call, confidence: 'high' as const, message: `Weak hash algorithm \`${h.algorithm}\`.` }));
  },
});

export const weakPasswordHash: Rule = defineRule({
  id: 'js.weak-password-hash',
  issueType: 'weak_crypto',
  cwe: 'CWE-916',
  severity: 'high',
  message: 'Password hashed with a fast, broken hash: stolen hashes can be cracked quickly.',
  remediation: 'Hash passwords with a slow, salted algorithm: argon2id, scrypt (`crypto.scrypt`) or bcrypt.',
  check({ root }) {
    return weakHashCalls(root)
      .filter((h) => h.password)
      .map((h) => ({ node: h.call, confidence: 'high' as const }));
  },
});

const WEAK_CIPHERS = /(^|-)(des|des3|3des|rc2|rc4|bf|blowfish|idea|seed|cast5?)($|-)|-ecb$|^des-ede/i;

export const weakCipher: Rule = defineRule({
  id: 'js.weak-cipher',
  issueType: 'weak_crypto',
  cwe: 'CWE-327',
  severity: 'high',
  message: 'Broken or risky encryption: weak cipher, ECB mode or the IV-less `createCipher`.',
  remediation:
    'Use an authenticated cipher such as `aes-256-gcm` with `crypto.createCipheriv` and a random 12-byte IV per message.',
  check({ root }) {
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      const { method } = calleeParts(call);
      if (method === 'createCipher' || method === 'createDecipher') {
        matches.push({
          node: call,
          confidence: 'high',
          message: `\`${method}\` derives the key without salt and uses no IV; it is deprecated.`,
        });
      } else if (method === 'createCipheriv' || method === 'createDecipheriv') {
        const algorithm = stringValue(callArguments(call)[0]);
        if (algorithm && WEAK_CIPHERS.test(algorithm)) {
          matches.push({ node: call, confidence: 'high', message: `Weak cipher or mode \`${algorithm}\`.` });
        }
      }
    }
    return matches;
  },
});

const SECRET_NAME =
  /token|secret|passw|pwd|nonce|salt|otp|csrf|xsrf|session|api_?key|(^|[a-z_])(id|key|uuid|code)$|[a-z](Id|ID|Key|Uuid|Code)$/i;

/** The name a value is given: variable, assigned property, object key, or the function returning it. */
function receivingName(node: Node): string | undefined {
  let current = node;
  for (let parent = current.parent; parent; current = parent, parent = parent.parent) {
    switch (parent.type) {
      case 'variable_declarator':
        return parent.childForFieldName('name')?.text;
      case 'assignment_expression':
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
  check({ root, code }) {
    const named = [...moduleNames(code, ['crypto'])].find((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'randomBytes');
    const shadowed = /\b(?:const|let|var|function|class)\s+crypto\b/.test(code) && named !== 'crypto';
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
    return matches;
  },
});

export const disabledTls: Rule = defineRule({
  id: 'js.tls-verification-disabled',
  issueType: 'tls_verification_disabled',
  cwe: 'CWE-295',
  severity: 'high',
  message: 'TLS certificate verification is disabled: connections can be intercepted (man in the middle).',
  remediation:
    'Keep certificate verification on; to trust a private CA, pass it with the `ca` option or `NODE_EXTRA_CA_CERTS`.',
  check({ root }) {
    const matches: RuleMatch[] = [];
    for (const pair of root.descendantsOfType('pair')) {
      const key = pair.childForFieldName('key')?.text.replace(/['"]/g, '');
      const value = pair.childForFieldName('value');
      if ((key === 'rejectUnauthorized' || key === 'strictSSL') && value?.type === 'false') {
        matches.push({
          node: pair,
          confidence: 'high',
          fix: {
            description: `Set \`${key}: true\``,
            edits: [{ start: value.startIndex, end: value.endIndex, replacement: 'true' }],
          },
        });
      }
    }
    for (const assignment of root.descendantsOfType('assignment_expression')) {
      const left = dottedName(assignment.childForFieldName('left'));
      const right = assignment.childForFieldName('right');
      if (
        left === 'process.env.NODE_TLS_REJECT_UNAUTHORIZED' &&
        right &&
        ['0', 'false', ''].includes(stringValue(right) ?? right.text)
      ) {
        matches.push({ node: assignment, confidence: 'high' });
      }
    }
    return matches;
  },
});

const LOCAL_HOST =
  /^http:\/\/(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\]|[^/:]+\.(local|localhost|internal|test))([:/?#]|$)/i;

export const insecureTransport: Rule = defineRule({
  id: 'js.insecure-transport',
  issueType: 'insecure_transport',
  cwe: 'CWE-319',
  severity: 'medium',
  message: 'Request sent over plain HTTP: data can be read and changed in transit.',
  remediation: 'Use `https://` URLs for every non-local request.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      const url = requestUrl(call);
      if (!url) continue;
      const value = taint.resolve(url);
      const head =
        value.type === 'template_string'
          ? value.text.slice(1)
          : value.type === 'binary_expression'
            ? stringValue(value.childForFieldName('left'))
            : stringValue(value);
      if (head?.startsWith('http://') && !LOCAL_HOST.test(head)) matches.push({ node: url, confidence: 'high' });
    }
    return matches;
  },
});

export const jwtMisuse: Rule = defineRule({
  id: 'js.jwt-misuse',
  issueType: 'jwt_misuse',
  cwe: 'CWE-347',
  severity: 'high',
  message: 'JWT signature is not verified properly.',
  remediation:
    'Verify tokens with `jwt.verify(token, key, { algorithms: ["RS256"] })` (the algorithms you issue); never accept `none` and never trust `jwt.decode` for authentication.',
  check({ root, code }) {
    const jwtNames = moduleNames(code, ['jsonwebtoken']);
    jwtNames.add('jwt');
    const verifies = /\.verify\s*\(|jwtVerify\s*\(/.test(code);
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      const { object, method } = calleeParts(call);
      if (!jwtNames.has(object)) continue;
      const args = callArguments(call);
      if (method === 'verify' || method === 'sign') {
        const options = args[2] ?? (method === 'sign' ? args[2] : undefined);
        const algorithms = propertyOf(options, 'algorithms') ?? propertyOf(options, 'algorithm');
        if (algorithms && /['"]none['"]/i.test(algorithms.text)) {
          matches.push({ node: call, confidence: 'high', message: 'The `none` algorithm accepts unsigned tokens.' });
        } else if (method === 'verify' && !algorithms && /pub|cert|pem/i.test(args[1]?.text ?? '')) {
          matches.push({
            node: call,
            confidence: 'medium',
            message:
              '`jwt.verify` with a public key and no `algorithms` allows algorithm confusion (HS256 signed with the public key).',
          });
        }
      } else if (method === 'decode' && !verifies) {
        matches.push({
          node: call,
          confidence: 'medium',
          message: '`jwt.decode` does not check the signature and this file never verifies tokens.',
        });
      }
    }
    return matches;
  },
});

export const prototypePollution: Rule = defineRule({
  id: 'js.prototype-pollution',
  issueType: 'prototype_pollution',
  cwe: 'CWE-1321',
  severity: 'high',
  message: 'Properties written under keys controlled by the request: `__proto__` keys can change every object.',
  remediation:
    'Reject `__proto__`, `constructor` and `prototype` keys, use `Object.create(null)` or a `Map` for dynamic keys, and avoid deep-merging request objects.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    for (const assignment of root.descendantsOfType('assignment_expression')) {
      const left = assignment.childForFieldName('left');
      if (left?.type !== 'subscript_expression') continue;
      const inner = left.childForFieldName('object');
      if (inner?.type !== 'subscript_expression') continue;
      const outerKey = left.childForFieldName('index');
      const innerKey = inner.childForFieldName('index');
      if (!outerKey || !innerKey) continue;
      const levels = [taint.level(innerKey), taint.level(outerKey)];
      if (levels.includes('safe')) continue;
      const scope = enclosingFunction(assignment) ?? root;
      if (/__proto__|['"]constructor['"]|hasOwn|Object\.create\(null\)/.test(scope.text)) continue;
      matches.push({ node: assignment, confidence: levels.includes('tainted') ? 'high' : 'medium' });
    }
    // recursive merges: a function that copies keys from a for-in loop and calls itself
    for (const fn of root.descendantsOfType(['function_declaration'])) {
      const name = fn.childForFieldName('name')?.text;
      const body = fn.childForFieldName('body');
      if (!name || !body || /__proto__|['"]constructor['"]|Object\.create\(null\)/.test(body.text)) continue;
      const loops = body.descendantsOfType('for_in_statement').filter((l) => l.children.some((c) => c.type === 'in'));
      const recursive = callsIn(body).some((c) => calleeParts(c).full === name);
      if (!recursive) continue;
      for (const loop of loops) {
        const key = loop.childForFieldName('left')?.text;
        const writes = loop
          .descendantsOfType('assignment_expression')
          .some(
            (a) =>
              a.childForFieldName('left')?.type === 'subscript_expression' &&
              a.childForFieldName('left')?.childForFieldName('index')?.text === key,
          );
        if (key && writes) {
          matches.push({
            node: fn.childForFieldName('name')!,
            confidence: 'medium',
            message: `Recursive merge \`${name}\` copies every key, including \`__proto__\`.`,
          });
          break;
        }
      }
    }
    for (const call of callsIn(root)) {
      const { full, method } = calleeParts(call);
      if (!['merge', 'mergeWith', 'defaultsDeep', 'deepmerge', 'deepMerge', 'set', 'setWith'].includes(method))
        continue;
      if (!/^(_|lodash|deepmerge|deepMerge|merge|defaultsDeep|mergeWith)(\.|$)/.test(full)) continue;
      const args = callArguments(call);
      const checked = method === 'set' || method === 'setWith' ? args.slice(1, 2) : args.slice(1);
      if (checked.some((a) => taint.isTainted(a))) matches.push({ node: call, confidence: 'high' });
    }
    return matches;
  },
});

/** True when a regular expression has a quantified group that itself contains a quantifier, like `(a+)+`. */
export function hasNestedQuantifier(pattern: string): boolean {
  const stack: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '(') stack.push(false);
    else if (ch === ')') {
      const quantified = stack.pop() ?? false;
      const next = pattern[i + 1];
      const repeats =
        next === '+' ||
        next === '*' ||
        (next === '{' && /^\{\d*,\d*\}/.test(pattern.slice(i + 1)) && !/^\{\d+\}/.test(pattern.slice(i + 1)));
      if (quantified && repeats) return true;
      if (stack.length) stack[stack.length - 1] = stack[stack.length - 1]! || quantified;
    } else if ((ch === '+' || ch === '*' || ch === '{') && stack.length) {
      if (ch !== '{' || /^\{\d*,\d*\}/.test(pattern.slice(i))) stack[stack.length - 1] = true;
    }
  }
  return false;
}

export const redos: Rule = defineRule({
  id: 'js.redos',
  issueType: 'redos',
  cwe: 'CWE-1333',
  severity: 'medium',
  message: 'Regular expression open to catastrophic backtracking (ReDoS).',
  remediation:
    'Avoid nested quantifiers such as `(a+)+`; never build patterns from input without escaping it (e.g. `_.escapeRegExp`), and bound input length.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    for (const regex of root.descendantsOfType('regex_pattern')) {
      if (hasNestedQuantifier(regex.text)) {
        matches.push({
          node: regex.parent ?? regex,
          confidence: 'medium',
          message: 'Nested quantifier in a regular expression: matching can take exponential time.',
        });
      }
    }
    for (const call of callsIn(root)) {
      if (calleeParts(call).full !== 'RegExp') continue;
      const first = callArguments(call)[0];
      if (!first) continue;
      const constant = stringValue(first);
      if (constant !== undefined) {
        if (hasNestedQuantifier(constant.replace(/\\\\/g, '\\'))) {
          matches.push({
            node: call,
            confidence: 'medium',
            message: 'Nested quantifier in a regular expression: matching can take exponential time.',
          });
        }
        continue;
      }
      const confidence = sinkConfidence(first, taint);
      if (confidence === 'high') {
        matches.push({
          node: call,
          confidence,
          message:
            'Regular expression built from request data: an attacker can supply a pattern that backtracks forever.',
        });
      }
    }
    return matches;
  },
});

export const permissiveCors: Rule = defineRule({
  id: 'js.permissive-cors',
  issueType: 'permissive_cors',
  cwe: 'CWE-942',
  severity: 'medium',
  message: 'CORS policy lets any origin read responses.',
  remediation:
    'Allow only the origins you trust (an explicit list); never combine a wildcard or reflected origin with credentials.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      const { full, method } = calleeParts(call);
      const args = callArguments(call);
      if (full === 'cors' || full === 'fastifyCors') {
        const options = args[0];
        const origin = propertyOf(options, 'origin');
        const credentials = propertyOf(options, 'credentials')?.type === 'true';
        const wildcard = origin && (stringValue(origin) === '*' || origin.type === 'true');
        if (wildcard && credentials) {
          matches.push({
            node: call,
            confidence: 'high',
            severity: 'high',
            message:
              'CORS reflects any origin and allows credentials: any site can make authenticated requests and read the answers.',
          });
        }
      } else if (['setHeader', 'header', 'set', 'append'].includes(method)) {
        if (stringValue(args[0])?.toLowerCase() !== 'access-control-allow-origin' || !args[1]) continue;
        if (stringValue(args[1]) === '*') matches.push({ node: call, confidence: 'high' });
        else if (taint.isTainted(args[1])) {
          matches.push({
            node: call,
            confidence: 'high',
            severity: 'high',
            message: 'CORS reflects the request origin: any site can read the answers.',
          });
        }
      }
    }
    return matches;
  },
});

export const insecureCookie: Rule = defineRule({
  id: 'js.insecure-cookie',
  issueType: 'insecure_cookie',
  cwe: 'CWE-614',
  severity: 'medium',
  message: 'Cookie set without the `Secure` or `HttpOnly` protection.',
  remediation: 'Set cookies with `secure: true`, `httpOnly: true` and `sameSite: "lax"` or `"strict"`.',
  check({ root }) {
    const matches: RuleMatch[] = [];
    const cookieObjects: Node[] = [];
    for (const call of callsIn(root)) {
      const { method, full } = calleeParts(call);
      if (method === 'cookie' || method === 'setCookie') {
        const options = callArguments(call)[2];
        if (options && unwrap(options).type === 'object') cookieObjects.push(unwrap(options));
      } else if (full === 'session' || full === 'cookieSession') {
        const cookie = propertyOf(callArguments(call)[0], 'cookie');
        if (cookie && unwrap(cookie).type === 'object') cookieObjects.push(unwrap(cookie));
        const options = callArguments(call)[0];
        if (full === 'cookieSession' && options && unwrap(options).type === 'object')
          cookieObjects.push(unwrap(options));
      }
    }
    for (const object of cookieObjects) {
      for (const key of ['secure', 'httpOnly']) {
        const value = propertyOf(object, key);
        if (value?.type === 'false') {
          matches.push({
            node: value.parent ?? value,
            confidence: 'high',
            message: `Cookie set with \`${key}: false\`.`,
          });
        }
      }
    }
    return matches;
  },
});

export const CONFIG_RULES: readonly Rule[] = [
  weakHash,
  weakPasswordHash,
  weakCipher,
  insecureRandomness,
  disabledTls,
  insecureTransport,
  jwtMisuse,
  prototypePollution,
  redos,
  permissiveCors,
  insecureCookie,
];
