import type { Node } from 'web-tree-sitter';
import type { RuleMatch } from '../finding.js';
import { argument, descendants, isFalse, isTrue, stringValue } from './ast.js';
import { onlyReadsConstant, tableKey } from './constant-values.js';
import { match, pythonRule } from './support.js';

/**
 * Protocol versions with known breaks (SSL 2/3: DROWN, POODLE; TLS 1.0/1.1: BEAST, deprecated by RFC 8996):
 * the stdlib's `ssl.PROTOCOL_*` constants and `ssl.TLSVersion` members, and pyOpenSSL's `SSL.*_METHOD`.
 * `PROTOCOL_TLS`/`PROTOCOL_SSLv23`/`SSLv23_METHOD` negotiate the best version both sides support: not reported.
 */
const WEAK_TLS_VERSION =
  /^(ssl\.PROTOCOL_(SSLv2|SSLv3|TLSv1|TLSv1_1)|ssl\.TLSVersion\.(SSLv3|TLSv1|TLSv1_1)|(py)?OpenSSL\.SSL\.(SSLv2|SSLv3|TLSv1|TLSv1_1)_METHOD)$/;

export const weakTlsVersion = pythonRule({
  id: 'py.weak-tls-version',
  issueType: 'weak_crypto',
  cwe: 'CWE-327',
  severity: 'high',
  message:
    'Obsolete SSL/TLS protocol version (SSL 2/3, TLS 1.0/1.1): its known weaknesses let traffic be decrypted or downgraded.',
  remediation:
    'Use `ssl.create_default_context()` (or `ssl.PROTOCOL_TLS_CLIENT`/`SERVER`) and set `minimum_version = ssl.TLSVersion.TLSv1_2`; with pyOpenSSL use `SSL.TLS_METHOD` and disable the old versions.',
  check(context, { taint }) {
    const matches: RuleMatch[] = [];
    if (!/(SSL|TLS)v/.test(context.code)) return matches;
    const candidates = descendants(
      context.root,
      (node) => (node.type === 'attribute' || node.type === 'identifier') && /(SSL|TLS)v/.test(node.text),
    );
    for (const attribute of candidates) {
      // the whole reference only: not `ssl` in `ssl.PROTOCOL_TLSv1`, nor the member name inside it
      if (attribute.parent?.type === 'attribute' || attribute.parent?.type === 'dotted_name') continue;
      if (
        attribute.parent?.type === 'keyword_argument' &&
        attribute.parent.childForFieldName('name')?.id === attribute.id
      )
        continue;
      const name = taint.qualified(attribute);
      if (!name || !WEAK_TLS_VERSION.test(name)) continue;
      // comparisons, membership tests and table keys read the version, they do not choose it; nor does the
      // value of a translation table keyed by protocol versions (`{ssl.PROTOCOL_TLSv1: SSL.TLSv1_METHOD}`)
      if (onlyReadsConstant(attribute)) continue;
      const key = tableKey(attribute);
      if (key && /(^|\.)(PROTOCOL_\w+|TLSVersion\.\w+|\w+_METHOD)$/.test(taint.qualified(key) ?? '')) continue;
      matches.push(match(attribute, 'high'));
    }
    return matches;
  },
});

const HTTP_METHODS = new Set([
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'head',
  'options',
  'request',
  'stream',
  'send',
  'Client',
  'AsyncClient',
  'urlopen',
]);

/**
 * `self.check_hostname = False` / `self.verify_mode = ssl.CERT_NONE` in a constructor: the default of an
 * attribute of the class being defined (a stand-in for `ssl.SSLContext`), not the configuration of a context.
 */
function ownDefault(node: Node): boolean {
  let assignment: Node | null = node;
  while (assignment && assignment.type !== 'assignment') {
    if (assignment.type.endsWith('statement') || assignment.type === 'function_definition') return false;
    assignment = assignment.parent;
  }
  if (assignment?.childForFieldName('left')?.childForFieldName('object')?.text !== 'self') return false;
  for (let at = assignment.parent; at; at = at.parent) {
    if (at.type !== 'function_definition') continue;
    if (at.childForFieldName('name')?.text !== '__init__') return false;
    // a stand-in class of its own; a subclass (of `ssl.SSLContext`, an adapter…) configures a real context
    let owner: Node | null = at.parent;
    while (owner && owner.type !== 'class_definition') owner = owner.parent;
    return owner !== null && !owner.childForFieldName('superclasses')?.namedChildCount;
  }
  return false;
}

export const tlsVerificationDisabled = pythonRule({
  id: 'py.tls-verification-disabled',
  issueType: 'tls_verification_disabled',
  cwe: 'CWE-295',
  severity: 'high',
  message: 'TLS certificate verification is disabled: connections can be intercepted (man in the middle).',
  remediation:
    'Keep verification on (`verify=True`, the default); for private CAs pass the CA bundle path (`verify="/path/ca.pem"`). For SSH (paramiko), load known host keys and keep `RejectPolicy`.',
  check(context, { calls, taint }) {
    const matches: RuleMatch[] = [];
    for (const parts of calls) {
      const verify = parts.keywords.get('verify');
      if (!verify || !isFalse(verify)) continue;
      const client =
        /^(requests|httpx|aiohttp|urllib3)\b/.test(parts.name ?? '') || HTTP_METHODS.has(parts.method ?? '');
      if (!client || /^jwt\b|^jose\b/.test(parts.name ?? '')) continue;
      matches.push(
        match(parts.call, 'high', {
          fix: {
            description: 'Turn certificate verification back on.',
            edits: [{ start: verify.startIndex, end: verify.endIndex, replacement: 'True' }],
          },
        }),
      );
    }
    for (const parts of calls) {
      // paramiko: accepting (or only warning about) an unknown SSH host key trusts whichever server answers
      if (parts.method === 'set_missing_host_key_policy') {
        const policy = argument(parts, 0, 'policy');
        const chosen = policy?.type === 'call' ? policy.childForFieldName('function') : policy;
        if (/(^|\.)(AutoAddPolicy|WarningPolicy)$/.test(taint.qualified(chosen) ?? ''))
          matches.push(
            match(parts.call, 'high', {
              message:
                'SSH host key verification is disabled: unknown server keys are accepted, so connections can be intercepted (man in the middle); load known hosts and keep `RejectPolicy`.',
            }),
          );
        continue;
      }
      // urllib3 also takes the requirement by name: `PoolManager(cert_reqs="NONE")`
      const required = stringValue(parts.keywords.get('cert_reqs'));
      if (required !== undefined && /^(CERT_)?NONE$/i.test(required)) matches.push(match(parts.call, 'high'));
      // `ssl.wrap_socket` (removed in 3.12) defaults to `cert_reqs=CERT_NONE` for a client socket
      else if (
        parts.name === 'ssl.wrap_socket' &&
        !parts.keywords.has('cert_reqs') &&
        parts.positional.length < 5 &&
        !isTrue(parts.keywords.get('server_side') ?? parts.positional[3])
      )
        matches.push(
          match(parts.call, 'medium', {
            message:
              '`ssl.wrap_socket` without `cert_reqs` does not verify the peer certificate (its default is `CERT_NONE`).',
          }),
        );
    }
    for (const attribute of descendants(context.root, (node) => node.type === 'attribute')) {
      const name = taint.qualified(attribute);
      if (name === 'ssl._create_unverified_context') matches.push(match(attribute, 'high'));
      else if (name === 'ssl.CERT_NONE' && !onlyReadsConstant(attribute) && !ownDefault(attribute))
        matches.push(match(attribute, 'high'));
    }
    for (const assignment of descendants(context.root, (node) => node.type === 'assignment')) {
      const left = assignment.childForFieldName('left');
      if (
        left?.type === 'attribute' &&
        left.childForFieldName('attribute')?.text === 'check_hostname' &&
        isFalse(assignment.childForFieldName('right') ?? undefined) &&
        !ownDefault(assignment)
      )
        matches.push(match(assignment, 'high'));
    }
    return matches;
  },
});
