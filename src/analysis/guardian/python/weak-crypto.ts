import type { Node } from 'web-tree-sitter';
import { argument, descendants, enclosingFunction, isFalse, stringValue, type CallParts } from './ast.js';
import { tableKey } from './constant-values.js';
import { passwordHashFixes } from './password-hash-fix.js';
import { destinationName, match, named, pythonRule } from './support.js';

const WEAK_HASHES = new Set([
  'hashlib.md5',
  'hashlib.sha1',
  ...['Crypto', 'Cryptodome'].flatMap((module) =>
    ['MD2', 'MD4', 'MD5', 'SHA', 'SHA1'].map((hash) => `${module}.Hash.${hash}.new`),
  ),
  // `cryptography`'s hash objects: `hashes.Hash(hashes.MD5())`, `hmac.HMAC(key, hashes.SHA1())`
  'cryptography.hazmat.primitives.hashes.MD5',
  'cryptography.hazmat.primitives.hashes.SHA1',
]);

const PASSWORD = /pass(word|wd|phrase)?|pwd/i;

/**
 * Names of what a hash derives that is not a security control: cache keys, ETags, checksums, identifiers
 * (`uuid5`, key identifiers) and file names.
 */
const NON_SECURITY_DIGEST = /cache|etag|checksum|uuid|identifier|(^|_)(file_?names?|shard|bucket|partition)($|_)/i;

/** Names of what protects something (checked first: `session_cache_key` is still a session's). */
const SECURITY_DIGEST =
  /sign|token|secret|auth(?!or)|hmac|verif|cred|session|nonce|otp|salt|integrity|tamper|api_?key|pass/i;

function weakHash(parts: CallParts): boolean {
  if (isFalse(parts.keywords.get('usedforsecurity'))) return false;
  // a table of algorithms (`{OID.RSA_WITH_MD5: hashes.MD5(), …}`) lists the hash, it does not use it
  if (tableKey(parts.call)) return false;
  const destination = destinationName(parts.call)?.replace(/^self\./, '');
  const within = enclosingFunction(parts.call)?.childForFieldName('name')?.text;
  const names = [destination, within, ...parts.positional.map((argument) => argument.text)].filter(
    (name): name is string => name !== undefined,
  );
  const identityOnly =
    !names.some((name) => SECURITY_DIGEST.test(name)) &&
    [destination, within].some((name) => name !== undefined && NON_SECURITY_DIGEST.test(name));
  if (identityOnly) return false;
  if (named(parts, WEAK_HASHES)) return true;
  return parts.name === 'hashlib.new' && /^(md5|sha1|md4)$/i.test(stringValue(argument(parts, 0, 'name')) ?? '');
}

function hashesPassword(parts: CallParts): boolean {
  const data = parts.name === 'hashlib.new' ? argument(parts, 1, 'data') : argument(parts, 0, 'string');
  if (data && PASSWORD.test(data.text)) return true;
  // `hashlib.md5(); h.update(password)` or `hashlib.md5(x).hexdigest()` assigned to a password field
  const destination = destinationName(parts.call);
  return destination !== undefined && PASSWORD.test(destination);
}

export const weakHashRule = pythonRule({
  id: 'py.weak-hash',
  issueType: 'weak_crypto',
  cwe: 'CWE-328',
  severity: 'medium',
  message: 'MD5/SHA-1 are broken for security uses: collisions can be forged.',
  remediation:
    'Use `hashlib.sha256` (or stronger) for integrity and signatures; pass `usedforsecurity=False` when the hash is not a security control.',
  check(_context, { calls }) {
    return calls
      .filter((parts) => weakHash(parts) && !hashesPassword(parts))
      .map((parts) => match(parts.call, 'medium'));
  },
});

export const weakPasswordHash = pythonRule({
  id: 'py.weak-password-hash',
  issueType: 'weak_crypto',
  cwe: 'CWE-916',
  severity: 'high',
  message: 'Password hashed with a fast, broken hash (MD5/SHA-1): stolen hashes are cracked quickly.',
  remediation:
    'Hash passwords with a slow, salted algorithm: `argon2-cffi`, `bcrypt`, `hashlib.scrypt` or `hashlib.pbkdf2_hmac` with a high iteration count.',
  check(context, { calls, taint }) {
    const weak = calls.filter((parts) => weakHash(parts) && hashesPassword(parts));
    const fixes = passwordHashFixes(context.root, weak, taint.aliases);
    return weak.map((parts) => {
      const fix = fixes.get(parts.call.id);
      return match(parts.call, 'high', fix ? { fix } : {});
    });
  },
});

const WEAK_CIPHER_CALL =
  /(^|\.)((DES|DES3|ARC4|ARC2|Blowfish|XOR)\.new|algorithms\.(TripleDES|ARC4|Blowfish|IDEA|CAST5|SEED)|modes\.ECB)$/;

export const weakCipher = pythonRule({
  id: 'py.weak-cipher',
  issueType: 'weak_crypto',
  cwe: 'CWE-327',
  severity: 'high',
  message: 'Broken or risky cipher (DES, RC4, Blowfish) or ECB mode: encrypted data can be recovered or patterns leak.',
  remediation: 'Use AES-GCM or ChaCha20-Poly1305 (`cryptography`’s AEAD classes) with a random nonce per message.',
  check(context, { calls, taint }) {
    const matches = calls
      .filter((parts) => parts.name && WEAK_CIPHER_CALL.test(parts.name))
      .map((parts) => match(parts.call, 'high'));
    for (const attribute of descendants(context.root, (node) => node.type === 'attribute'))
      if (attribute.childForFieldName('attribute')?.text === 'MODE_ECB' && taint.qualified(attribute))
        matches.push(match(attribute, 'high'));
    return matches;
  },
});

/** The smallest sizes NIST SP 800-57 still accepts: RSA/DSA moduli of 2048 bits. */
const MIN_KEY_BITS = 2048;

/** The key size a key-generation call asks for, when it is a literal integer. */
function requestedKeyBits(parts: CallParts): number | undefined {
  let size: Node | undefined;
  if (/^(Crypto|Cryptodome)\.PublicKey\.(RSA|DSA)\.generate$/.test(parts.name ?? '')) size = argument(parts, 0, 'bits');
  else if (/^cryptography\.hazmat\.primitives\.asymmetric\.rsa\.generate_private_key$/.test(parts.name ?? ''))
    size = argument(parts, 1, 'key_size');
  else if (/^cryptography\.hazmat\.primitives\.asymmetric\.dsa\.generate_private_key$/.test(parts.name ?? ''))
    size = argument(parts, 0, 'key_size');
  else if (parts.name === 'rsa.newkeys') size = argument(parts, 0, 'nbits');
  return size?.type === 'integer' ? Number(size.text.replace(/_/g, '')) : undefined;
}

export const weakKeySize = pythonRule({
  id: 'py.weak-key-size',
  issueType: 'weak_crypto',
  cwe: 'CWE-326',
  severity: 'high',
  message: 'RSA/DSA key shorter than 2048 bits: it can be factored with today’s resources.',
  remediation: 'Generate RSA/DSA keys of at least 2048 bits (3072 for use beyond 2030), or use an elliptic-curve key.',
  check(_context, { calls }) {
    return calls
      .filter((parts) => {
        const bits = requestedKeyBits(parts);
        return bits !== undefined && bits < MIN_KEY_BITS;
      })
      .map((parts) => match(parts.call, 'high'));
  },
});
