import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { passwordHashFixes } from './password-hash-fix.js';
import { receivingName } from './randomness.js';
import { enclosingFunction, stringValue } from './syntax.js';
import { callArguments, calleeParts, callsIn, defineRule, moduleNames } from './util.js';

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
