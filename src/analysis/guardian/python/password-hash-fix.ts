import type { Node } from 'web-tree-sitter';
import type { Fix } from '../finding.js';
import { argument, children, descendants, type CallParts } from './ast.js';
import { importEdit } from './imports.js';

/**
 * `hashlib.md5(password).hexdigest()` → a slow, salted password hash of the same type (`str` for
 * `hexdigest()`, `bytes` for `digest()`), whose output keeps its salt so it can be verified:
 * - `bcrypt.hashpw(password, bcrypt.gensalt()).decode()` when the file imports bcrypt;
 * - `argon2.PasswordHasher().hash(password)` when it imports argon2-cffi;
 * - otherwise `hashlib.scrypt` with a random salt from `os.urandom(16)`, written `salt-hex$hash-hex`.
 * No fix when the file also verifies a password by recomputing the weak hash and comparing: a salted hash
 * cannot be compared that way, so the verification would break. Stored hashes must be migrated either way.
 */

const MIGRATE =
  'Existing stored hashes must be migrated (e.g. re-hash at the next successful login), and checks must use the matching verify function.';

/** The `.hexdigest()`/`.digest()` call on a hash call, if the hash is finished right there. */
function digestOf(call: Node): { digest: Node; hex: boolean } | undefined {
  const attribute = call.parent;
  if (attribute?.type !== 'attribute' || attribute.childForFieldName('object')?.id !== call.id) return undefined;
  const method = attribute.childForFieldName('attribute')?.text;
  const digest = attribute.parent;
  if (digest?.type !== 'call' || (method !== 'hexdigest' && method !== 'digest')) return undefined;
  const args = digest.childForFieldName('arguments');
  if (args && children(args).length > 0) return undefined;
  return { digest, hex: method === 'hexdigest' };
}

/** Whether a value is compared (`==`, `!=`, `hmac.compare_digest`): the code verifies by recomputing. */
function compared(node: Node): boolean {
  for (let at = node.parent; at && !at.type.endsWith('statement') && at.type !== 'block'; at = at.parent) {
    if (at.type === 'comparison_operator') return true;
    if (at.type === 'call' && /compare_digest$/.test(at.childForFieldName('function')?.text ?? '')) return true;
  }
  return false;
}

/** A name not used anywhere in the file, for the salt. */
function freshName(root: Node, base: string): string {
  const used = new Set(descendants(root, (n) => n.type === 'identifier').map((n) => n.text));
  let name = base;
  while (used.has(name)) name = `_${name}`;
  return name;
}

/** The local names the file gives to a module or to one of its members. */
function localName(aliases: ReadonlyMap<string, string>, qualified: string): string | undefined {
  for (const [local, target] of aliases) if (target === qualified) return local;
  return undefined;
}

function replacement(
  root: Node,
  data: string,
  hex: boolean,
  hashlib: string,
  aliases: ReadonlyMap<string, string>,
): { code: string; description: string; imports: Fix['edits'] } | undefined {
  const bcrypt = localName(aliases, 'bcrypt');
  if (bcrypt)
    return {
      code: `${bcrypt}.hashpw(${data}, ${bcrypt}.gensalt())${hex ? '.decode()' : ''}`,
      description: `Hash the password with bcrypt (salted, slow); check it with \`${bcrypt}.checkpw\`. ${MIGRATE}`,
      imports: [],
    };
  const hasher = localName(aliases, 'argon2.PasswordHasher');
  const argon2 = localName(aliases, 'argon2');
  if (hasher || argon2) {
    const constructor = hasher ?? `${argon2}.PasswordHasher`;
    return {
      code: `${constructor}().hash(${data})${hex ? '' : '.encode()'}`,
      description: `Hash the password with Argon2id (salted, slow); check it with \`PasswordHasher().verify\`. ${MIGRATE}`,
      imports: [],
    };
  }
  const salt = freshName(root, 'salt');
  const os = localName(aliases, 'os') === 'os' || !aliases.has('os') ? 'os' : undefined;
  if (!os) return undefined;
  const scrypt = `${hashlib}.scrypt(${data}, salt=${salt}, n=2**14, r=8, p=1)`;
  return {
    code: hex ? `(${salt} := os.urandom(16)).hex() + "$" + ${scrypt}.hex()` : `(${salt} := os.urandom(16)) + ${scrypt}`,
    description:
      `Hash the password with scrypt and a random 16-byte salt kept with the hash (${hex ? '`salt$hash` in hex' : 'the salt, then the hash'}). ` +
      `To verify, split off the salt and compare \`hashlib.scrypt\` of the candidate with \`hmac.compare_digest\`. ${MIGRATE}`,
    imports: importEdit(root, aliases, 'os'),
  };
}

/** Fixes for weak password hash calls, by call node id. */
export function passwordHashFixes(
  root: Node,
  calls: readonly CallParts[],
  aliases: ReadonlyMap<string, string>,
): Map<number, Fix> {
  const fixes = new Map<number, Fix>();
  const finished = calls.map((parts) => ({ parts, digest: digestOf(parts.call) }));
  if (finished.some(({ parts, digest }) => compared(digest?.digest ?? parts.call))) return fixes;
  for (const { parts, digest } of finished) {
    if (!digest || parts.callee.type !== 'attribute') continue;
    const hashlib = parts.receiver?.text;
    const data = parts.name === 'hashlib.new' ? argument(parts, 1, 'data') : argument(parts, 0, 'string');
    if (
      !hashlib ||
      !data ||
      !parts.name?.startsWith('hashlib.') ||
      parts.keywords.size > (data.parent?.type === 'keyword_argument' ? 1 : 0)
    )
      continue;
    const rewrite = replacement(root, data.text, digest.hex, hashlib, aliases);
    if (!rewrite) continue;
    fixes.set(parts.call.id, {
      description: rewrite.description,
      edits: [
        ...rewrite.imports,
        { start: digest.digest.startIndex, end: digest.digest.endIndex, replacement: rewrite.code },
      ],
    });
  }
  return fixes;
}
