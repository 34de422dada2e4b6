import type { Node } from 'web-tree-sitter';
import type { Fix } from '../finding.js';
import { stringValue } from './syntax.js';
import { callArguments, calleeParts } from './util.js';

/**
 * `crypto.createHash('md5').update(password).digest('hex')` → a slow, salted hash of the same type whose
 * output keeps its salt: `bcrypt.hashSync(password, 12)` when the file imports bcrypt/bcryptjs, otherwise
 * `crypto.scryptSync` with a random 16-byte salt from `crypto.randomBytes`, written `salt:hash` in the same
 * encoding (or salt and hash concatenated for a Buffer digest). No fix when the file verifies by recomputing
 * the weak hash and comparing (that check would break), nor when the chain is not finished in place.
 */

const MIGRATE =
  'Existing stored hashes must be migrated (e.g. re-hash at the next successful login), and checks must use the matching verify function.';

export interface HashChain {
  /** the `createHash(…)` call */
  readonly call: Node;
  /** the `.update(data)` argument */
  readonly data: Node;
  /** the whole `createHash(…).update(…).digest(…)` expression */
  readonly digest: Node;
  /** the digest encoding, undefined for a Buffer */
  readonly encoding: string | undefined;
}

/** `createHash(a).update(data).digest(enc)` written as one chain, if it is. */
export function hashChain(call: Node): HashChain | undefined {
  const update = call.parent?.type === 'member_expression' ? call.parent.parent : null;
  if (update?.type !== 'call_expression' || calleeParts(update).method !== 'update') return undefined;
  const updateArgs = callArguments(update);
  if (updateArgs.length !== 1) return undefined;
  const digest = update.parent?.type === 'member_expression' ? update.parent.parent : null;
  if (digest?.type !== 'call_expression' || calleeParts(digest).method !== 'digest') return undefined;
  const digestArgs = callArguments(digest);
  const encoding = digestArgs[0] ? stringValue(digestArgs[0]) : undefined;
  if (digestArgs.length > 1 || (digestArgs[0] && !['hex', 'base64', 'base64url'].includes(encoding ?? '')))
    return undefined;
  return { call, data: updateArgs[0]!, digest, encoding };
}

/** Whether the hash is compared (`===`, `timingSafeEqual`): the code verifies by recomputing it. */
function compared(node: Node): boolean {
  for (let at = node.parent; at && !at.type.endsWith('statement') && at.type !== 'statement_block'; at = at.parent) {
    if (
      at.type === 'binary_expression' &&
      ['==', '===', '!=', '!=='].includes(at.childForFieldName('operator')?.text ?? '')
    )
      return true;
    if (at.type === 'call_expression' && calleeParts(at).method === 'timingSafeEqual') return true;
  }
  return false;
}

function freshName(root: Node, base: string): string {
  const used = new Set(root.descendantsOfType('identifier').map((n) => n.text));
  let name = base;
  while (used.has(name)) name = `_${name}`;
  return name;
}

/** Fixes for weak password hash calls, by `createHash` call node id. */
export function passwordHashFixes(
  root: Node,
  calls: readonly Node[],
  cryptoNames: ReadonlySet<string>,
  bcryptName: string | undefined,
): Map<number, Fix> {
  const fixes = new Map<number, Fix>();
  const chains = calls.map((call) => ({ call, chain: hashChain(call) }));
  if (chains.some(({ call, chain }) => compared(chain?.digest ?? call))) return fixes;
  for (const { call, chain } of chains) {
    if (!chain) continue;
    const { object } = calleeParts(call);
    const data = chain.data.text;
    let code: string;
    let description: string;
    if (bcryptName && chain.encoding) {
      code = `${bcryptName}.hashSync(${data}, 12)`;
      description = `Hash the password with bcrypt (salted, slow); check it with \`${bcryptName}.compareSync\`. ${MIGRATE}`;
    } else if (object && (cryptoNames.has(object) || object === 'crypto')) {
      const salt = freshName(root, 'salt');
      const derived = `${object}.scryptSync(${data}, ${salt}, 64)`;
      code = chain.encoding
        ? `((${salt}) => ${salt}.toString('${chain.encoding}') + ':' + ${derived}.toString('${chain.encoding}'))(${object}.randomBytes(16))`
        : `((${salt}) => Buffer.concat([${salt}, ${derived}]))(${object}.randomBytes(16))`;
      description =
        `Hash the password with scrypt and a random 16-byte salt kept with the hash (${chain.encoding ? '`salt:hash`' : 'salt, then hash'}). ` +
        `To verify, split off the salt and compare \`scryptSync\` of the candidate with \`crypto.timingSafeEqual\`. ${MIGRATE}`;
    } else continue;
    fixes.set(call.id, {
      description,
      edits: [{ start: chain.digest.startIndex, end: chain.digest.endIndex, replacement: code }],
    });
  }
  return fixes;
}
