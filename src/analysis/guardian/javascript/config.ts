import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import { catastrophicBacktracking } from '../regex.js';
import type { Rule } from '../rule.js';
import { leadingText, requestUrl } from './injection.js';
import { passwordHashFixes } from './password-hash-fix.js';
import { pathSetters, recursiveMerges } from './prototype.js';
import { dottedName, enclosingFunction, FUNCTION_TYPES, stringValue, unwrap, type TaintAnalysis } from './taint.js';
import {
  callArguments,
  calleeParts,
  callsIn,
  declares,
  defineRule,
  moduleNames,
  propertyOf,
  sinkConfidence,
  moduleConstants,
} from './util.js';

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

/** Words naming a digest that protects something: signatures, tokens, credentials, integrity checks. */
const SECURITY_PURPOSE =
  /\bsign|token|secret|\bauth(?!or)|hmac|verif|cred|session|nonce|otp|salt|integrity|tamper|\bmac\b|api ?key/i;
/**
 * Words naming a digest that only identifies or fingerprints data: cache keys, ETags, checksums, file names,
 * Gravatar URLs (whose protocol is MD5). Words for what is hashed (a buffer, contents) say nothing of why.
 */
const IDENTITY_PURPOSE =
  /cache|etag|checksum|fingerprint|dedup|bucket|shard|shortid|file ?name|file ?hash|content ?hash|gravatar/i;

/** What a hash is for, from the names around it: the variable it goes to, its function, what it hashes. */
function hashPurpose(call: Node): 'security' | 'identity' | undefined {
  const fn = enclosingFunction(call);
  const fnName =
    fn?.childForFieldName('name')?.text ??
    (fn?.parent?.type === 'variable_declarator' ? fn.parent.childForFieldName('name')?.text : undefined) ??
    (fn?.parent?.type === 'pair' ? fn.parent.childForFieldName('key')?.text : undefined);
  const words = [receivingName(call), fnName, hashedValue(call)?.text]
    .filter((w): w is string => w !== undefined)
    // split camelCase so that `cacheKey` reads as "cache Key" and `fileBuffer` as "file Buffer"
    .map((w) => w.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_.]/g, ' '))
    .join(' ');
  if (SECURITY_PURPOSE.test(words)) return 'security';
  if (IDENTITY_PURPOSE.test(words)) return 'identity';
  return undefined;
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
    const matches: RuleMatch[] = [];
    for (const h of weakHashCalls(root)) {
      if (h.password) continue;
      const purpose = hashPurpose(h.call);
      // a digest that only names or detects changes to data (cache keys, ETags, checksums) is not a weakness
      if (purpose === 'identity') continue;
      matches.push({
        node: h.call,
        confidence: purpose === 'security' ? 'high' : 'medium',
        message: `Weak hash algorithm \`${h.algorithm}\`.`,
      });
    }
    return matches;
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
    const weak = weakHashCalls(root).filter((h) => h.password);
    const crypto = moduleNames(root, ['crypto']);
    const bcrypt = [...moduleNames(root, ['bcrypt', 'bcryptjs'])][0];
    const fixes = passwordHashFixes(
      root,
      weak.map((h) => h.call),
      crypto,
      bcrypt,
    );
    return weak.map((h) => {
      const fix = fixes.get(h.call.id);
      return { node: h.call, confidence: 'high' as const, ...(fix ? { fix } : {}) };
    });
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
  /token|secret|passw|pwd|nonce|salt|otp|csrf|xsrf|session|api_?key|(^|[a-z_])(id|key|uuid|code|pin)$|[a-z](Id|ID|Key|Uuid|Code|Pin)$|^(oauth_?)?state$|oauthState/i;

/** The name a value is given: variable, assigned property, object key, or the function returning it. */
function receivingName(node: Node): string | undefined {
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

/** Client factories whose options fix the base URL of every request: axios, got, ky, ofetch. */
const BASE_URL_OPTIONS: Readonly<Record<string, string>> = {
  create: 'baseURL',
  extend: 'prefixUrl',
};

export const insecureTransport: Rule = defineRule({
  id: 'js.insecure-transport',
  issueType: 'insecure_transport',
  cwe: 'CWE-319',
  severity: 'medium',
  message: 'Request sent over plain HTTP: data can be read and changed in transit.',
  remediation: 'Use `https://` (and `wss://`) URLs for every non-local connection, and serve over HTTPS.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    const http = moduleNames(root, ['http']);
    // a plain server next to an HTTPS one, or one that redirects, is the usual redirect-to-HTTPS listener
    const https = moduleNames(root, ['https', 'http2']);
    const servesHttps = callsIn(root).some((call) => {
      const { object, method } = calleeParts(call);
      return (
        ((method === 'createServer' || method === 'createSecureServer') && https.has(object)) ||
        method === 'redirect' ||
        (method === 'writeHead' && [301, 302, 307, 308].includes(Number(callArguments(call)[0]?.text)))
      );
    });
    const plain = (url: Node, scheme = 'http://') => {
      const head = leadingText(url, taint);
      return (
        head !== undefined &&
        head.toLowerCase().startsWith(scheme) &&
        !LOCAL_HOST.test(`http://${head.slice(scheme.length)}`)
      );
    };
    for (const call of callsIn(root)) {
      const url = requestUrl(call);
      const { full, object, method } = calleeParts(call);
      if (url) {
        // `http.request({ hostname: 'api.example.com' })`: the http module never encrypts
        const host =
          http.has(object) && unwrap(callArguments(call)[0]!).type === 'object' ? stringValue(url) : undefined;
        if (plain(url) || (host !== undefined && !LOCAL_HOST.test(`http://${host}`)))
          matches.push({ node: url, confidence: 'high' });
        continue;
      }
      const args = callArguments(call);
      const option = Object.hasOwn(BASE_URL_OPTIONS, method) ? BASE_URL_OPTIONS[method] : undefined;
      if (option && ['axios', 'got', 'ky'].includes(object)) {
        const base = propertyOf(args[0], option) ?? propertyOf(args[0], 'prefixUrl');
        if (base && plain(base)) matches.push({ node: base, confidence: 'high' });
      } else if (call.type === 'new_expression' && (full === 'WebSocket' || full === 'ws.WebSocket')) {
        if (args[0] && plain(args[0], 'ws://')) matches.push({ node: args[0], confidence: 'high' });
      } else if (method === 'createServer' && http.has(object) && !servesHttps) {
        matches.push({
          node: call,
          confidence: 'low',
          severity: 'low',
          message: 'Plain HTTP server: unless TLS is terminated in front of it, traffic travels unencrypted.',
        });
      }
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
  check({ root }) {
    const jwtNames = moduleNames(root, ['jsonwebtoken']);
    jwtNames.add('jwt');
    const verifies = callsIn(root).some((call) =>
      ['verify', 'jwtVerify', 'compactVerify', 'flattenedVerify', 'generalVerify'].includes(calleeParts(call).method),
    );
    const jose = moduleNames(root, ['jose']);
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      const { object, method } = calleeParts(call);
      if (method === 'decodeJwt' && (object ? jose.has(object) : jose.has(method)) && !verifies) {
        matches.push({
          node: call,
          confidence: 'medium',
          message: '`decodeJwt` does not check the signature and this file never verifies tokens (`jwtVerify`).',
        });
        continue;
      }
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

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Whether code defends against prototype keys: compares with or rejects `__proto__`/`constructor`, checks own
 * properties (`hasOwn`, `hasOwnProperty`), or writes into prototype-less objects (`Object.create(null)`).
 */
function defendsPrototype(scope: Node): boolean {
  for (const node of scope.descendantsOfType(['string', 'call_expression', 'member_expression'])) {
    if (node.type === 'string' && PROTOTYPE_KEYS.has(stringValue(node) ?? '')) return true;
    if (node.type === 'member_expression') {
      const property = node.childForFieldName('property')?.text ?? '';
      if (['hasOwn', 'hasOwnProperty', 'propertyIsEnumerable'].includes(property)) return true;
    }
    if (node.type === 'call_expression' && calleeParts(node).full === 'Object.create') {
      if (callArguments(node)[0]?.type === 'null') return true;
    }
  }
  return false;
}

/** Deep-merge functions of libraries: lodash/underscore, deepmerge, jQuery's `$.extend(true, …)`. */
function libraryMerge(call: Node, localFunctions: ReadonlySet<string>): Node[] | undefined {
  const { full, object, method } = calleeParts(call);
  const args = callArguments(call);
  if (!object && localFunctions.has(method)) return undefined; // judged by its body below
  if (['extend'].includes(method) && ['$', 'jQuery'].includes(object)) {
    return args[0]?.type === 'true' ? args.slice(2) : undefined;
  }
  if (!['merge', 'mergeWith', 'defaultsDeep', 'deepmerge', 'deepMerge', 'set', 'setWith', 'all'].includes(method))
    return undefined;
  if (!/^(_|lodash|deepmerge|deepMerge|merge|defaultsDeep|mergeWith)(\.|$)/.test(full)) return undefined;
  return method === 'set' || method === 'setWith' ? args.slice(1, 2) : args.slice(1);
}

/**
 * `for (…) node = node[part]` followed by `node[key] = value`: walking an object along keys from the request
 * reaches `Object.prototype` through `__proto__`, and the final write pollutes it.
 */
function pathWalks(scope: Node, taint: TaintAnalysis): Node[] {
  const found: Node[] = [];
  const walkers = new Set<string>();
  for (const assignment of scope.descendantsOfType('assignment_expression')) {
    const left = assignment.childForFieldName('left');
    const right = assignment.childForFieldName('right');
    if (left?.type !== 'identifier' || !right) continue;
    const steps = [right, ...right.descendantsOfType('subscript_expression')].filter(
      (node) => node.type === 'subscript_expression' && node.childForFieldName('object')?.text === left.text,
    );
    let inLoop = false;
    for (let at = assignment.parent; at && !FUNCTION_TYPES.has(at.type); at = at.parent)
      if (['for_in_statement', 'for_statement', 'while_statement', 'do_statement'].includes(at.type)) inLoop = true;
    if (inLoop && steps.some((step) => taint.level(step.childForFieldName('index')!) !== 'safe'))
      walkers.add(left.text);
  }
  for (const assignment of scope.descendantsOfType('assignment_expression')) {
    const left = assignment.childForFieldName('left');
    if (left?.type !== 'subscript_expression') continue;
    const object = left.childForFieldName('object');
    const index = left.childForFieldName('index');
    if (object?.type === 'identifier' && walkers.has(object.text) && index && taint.isTainted(index))
      found.push(assignment);
  }
  return found;
}

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
      // `this[kState][key] = v` with kState a module constant (an imported symbol, say): the first key is the
      // program's, so it can never be `__proto__`
      if (!levels.includes('tainted') && innerKey.type === 'identifier' && moduleConstants(root).has(innerKey.text))
        continue;
      if (defendsPrototype(enclosingFunction(assignment) ?? root)) continue;
      matches.push({ node: assignment, confidence: levels.includes('tainted') ? 'high' : 'medium' });
    }
    for (const assignment of pathWalks(root, taint)) {
      if (defendsPrototype(enclosingFunction(assignment) ?? root)) continue;
      matches.push({
        node: assignment,
        confidence: 'high',
        message: 'Object walked and written along keys from the request: `__proto__` reaches every object.',
      });
    }
    // recursive merges that descend into the target under every key, and path setters, whatever their input
    const reported = new Set(matches.map((match) => (enclosingFunction(match.node) ?? root).id));
    for (const { fn, write, name } of recursiveMerges(root)) {
      // the whole function is at fault; its span covers the write
      matches.push({
        node: fn,
        confidence: 'medium',
        message: `Recursive merge \`${name}\` descends into the target under every key, \`__proto__\` included, and writes it on line ${write.startPosition.row + 1}: merging a parsed object pollutes \`Object.prototype\`.`,
      });
    }
    for (const step of pathSetters(root)) {
      if (reported.has((enclosingFunction(step) ?? root).id)) continue;
      matches.push({
        node: step,
        confidence: 'medium',
        message:
          'Object walked along the parts of a path and then written: a `__proto__` part reaches `Object.prototype`.',
      });
    }
    const localFunctions = new Set<string>();
    for (const fn of root.descendantsOfType(['function_declaration'])) {
      const name = fn.childForFieldName('name')?.text;
      if (name) localFunctions.add(name);
    }
    for (const call of callsIn(root)) {
      const checked = libraryMerge(call, localFunctions);
      if (checked?.some((a) => taint.isTainted(a))) matches.push({ node: call, confidence: 'high' });
    }
    return matches;
  },
});

/**
 * True when a regular expression has a quantified group that itself contains a quantifier, like `(a+)+`: the
 * star height, a coarse measure; the rule asks `catastrophicBacktracking` (regex.ts), which also checks that
 * the iterations are ambiguous.
 */
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
      const flags = regex.parent?.childForFieldName('flags')?.text ?? '';
      if (catastrophicBacktracking(regex.text, { flavor: 'javascript', flags })) {
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
        const flagsArgument = callArguments(call)[1];
        const flags = (flagsArgument && stringValue(flagsArgument)) ?? '';
        if (catastrophicBacktracking(constant.replace(/\\\\/g, '\\'), { flavor: 'javascript', flags })) {
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
    const corsPlugins = moduleNames(root, ['@fastify/cors', 'fastify-cors', 'cors', '@koa/cors', 'koa2-cors']);
    for (const call of callsIn(root)) {
      const { full, method } = calleeParts(call);
      const args = callArguments(call);
      const registered =
        method === 'register' && args[0] !== undefined && corsPlugins.has(unwrap(args[0]).text) ? args[1] : undefined;
      // NestJS: `app.enableCors(options)`, `NestFactory.create(AppModule, { cors: options })`
      const nest =
        method === 'enableCors'
          ? (args[0] ?? null)
          : full === 'NestFactory.create'
            ? propertyOf(args[1], 'cors')
            : undefined;
      if (nest !== undefined && (nest === null || unwrap(nest).type === 'true')) {
        matches.push({
          node: call,
          confidence: 'low',
          severity: 'low',
          message:
            'CORS enabled with the default policy: any origin may read responses (without credentials); list the origins that need access.',
        });
        continue;
      }
      if (full === 'cors' || full === 'fastifyCors' || registered || nest) {
        const options = registered ?? nest ?? args[0];
        const origin = propertyOf(options, 'origin');
        const credentials = propertyOf(options, 'credentials')?.type === 'true';
        const wildcard = origin && (stringValue(origin) === '*' || origin.type === 'true');
        if (nest && origin && stringValue(origin) === '*' && !credentials) {
          matches.push({ node: call, confidence: 'high' });
        } else if (wildcard && credentials) {
          matches.push({
            node: call,
            confidence: 'high',
            severity: 'high',
            message:
              'CORS reflects any origin and allows credentials: any site can make authenticated requests and read the answers.',
          });
        }
      } else if (['setHeader', 'header', 'set', 'append', 'writeHead', 'setHeaders', 'Header'].includes(method)) {
        // `res.setHeader(name, value)`, the NestJS `@Header(name, value)`, or `res.set({ name: value })`,
        // `res.writeHead(200, { name: value })`
        const headers = args.find((arg) => unwrap(arg).type === 'object');
        const value =
          stringValue(args[0])?.toLowerCase() === 'access-control-allow-origin'
            ? args[1]
            : headers
              ? unwrap(headers)
                  .namedChildren.filter((pair) => pair.type === 'pair')
                  .find((pair) => {
                    const key = pair.childForFieldName('key');
                    const name = key?.type === 'string' ? stringValue(key) : key?.text;
                    return name?.toLowerCase() === 'access-control-allow-origin';
                  })
                  ?.childForFieldName('value')
              : undefined;
        if (!value) continue;
        if (stringValue(value) === '*') matches.push({ node: call, confidence: 'high' });
        else if (taint.isTainted(value)) {
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

const SENSITIVE_COOKIE = /token|session|sess|sid|auth|jwt|csrf|xsrf|remember|login|secret|key/i;

/** The constant text of a string built from literals, templates and concatenations. */
function constantPieces(node: Node): string[] {
  return node.descendantsOfType(['string_fragment']).map((n) => n.text);
}

export const insecureCookie: Rule = defineRule({
  id: 'js.insecure-cookie',
  issueType: 'insecure_cookie',
  cwe: 'CWE-614',
  severity: 'medium',
  message: 'Cookie set without the `Secure` or `HttpOnly` protection.',
  remediation: 'Set cookies with `secure: true`, `httpOnly: true` and `sameSite: "lax"` or `"strict"`.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    const cookieObjects: Node[] = [];
    for (const call of callsIn(root)) {
      const { method, full } = calleeParts(call);
      const { object } = calleeParts(call);
      if (method === 'cookie' || method === 'setCookie' || (method === 'set' && object.endsWith('cookies'))) {
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
    for (const assignment of root.descendantsOfType('assignment_expression')) {
      if (dottedName(assignment.childForFieldName('left')) !== 'document.cookie') continue;
      const value = assignment.childForFieldName('right');
      const text = value ? (leadingText(value, taint) ?? '') : '';
      const name = text.split('=')[0]?.trim() ?? '';
      if (!SENSITIVE_COOKIE.test(name) || !value) continue;
      const attributes = constantPieces(value).join('').toLowerCase();
      if (!/;\s*secure\b/.test(attributes))
        matches.push({
          node: assignment,
          confidence: 'medium',
          message: `Cookie \`${name}\` set from script without \`Secure\`: it is also sent over plain HTTP.`,
        });
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
