import type { Node } from 'web-tree-sitter';
import type { Fix, RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import {
  argument,
  children,
  descendants,
  enclosingFunction,
  isFalse,
  isTrue,
  leadingConstant,
  stringValue,
  type CallParts,
} from './ast.js';
import { importEdit } from './imports.js';
import { httpUrl } from './injection.js';
import { passwordHashFixes } from './password-hash-fix.js';
import { confidenceFor, destinationName, dictionaryPairs, match, named, pythonRule, severityFor } from './support.js';
import type { TaintAnalysis } from './taint.js';

/**
 * Whether a constant is only looked up or compared, not chosen: an operand of a comparison, a dictionary
 * key or a subscript index (`verify_mode != ssl.CERT_NONE`, `{ssl.PROTOCOL_TLSv1: …}`, `table[ssl.CERT_NONE]`).
 */
function onlyReadsConstant(node: Node): boolean {
  let at = node;
  while (at.parent?.type === 'parenthesized_expression') at = at.parent;
  const parent = at.parent;
  if (!parent) return false;
  // (not `and`/`or`: `x or ssl.CERT_NONE` produces the constant)
  if (parent.type === 'comparison_operator') return true;
  if (parent.type === 'pair') return parent.childForFieldName('key')?.id === at.id;
  if (parent.type === 'subscript') return parent.childForFieldName('value')?.id !== at.id;
  return false;
}

/**
 * The key of the translation-table entry a value belongs to: the key of its `pair` in a dictionary, or the
 * index of the subscript it is assigned to (`table[KEY] = value`).
 */
function tableKey(node: Node): Node | undefined {
  let at = node;
  while (at.parent?.type === 'parenthesized_expression' || at.parent?.type === 'tuple') at = at.parent;
  const parent = at.parent;
  if (parent?.type === 'pair' && parent.childForFieldName('value')?.id === at.id)
    return parent.childForFieldName('key') ?? undefined;
  if (parent?.type === 'assignment' && parent.childForFieldName('right')?.id === at.id) {
    const left = parent.childForFieldName('left');
    if (left?.type === 'subscript') return left.childForFieldName('subscript') ?? undefined;
  }
  return undefined;
}

const DESERIALISERS = new Set([
  ...['pickle', 'cPickle', '_pickle', 'dill', 'marshal'].flatMap((module) => [`${module}.loads`, `${module}.load`]),
  'jsonpickle.decode',
  'shelve.open',
  'pandas.read_pickle',
  'yaml.unsafe_load',
  'yaml.unsafe_load_all',
]);
const YAML_LOAD = new Set(['yaml.load', 'yaml.load_all']);
const SAFE_LOADER = /(^|\.)(SafeLoader|CSafeLoader|BaseLoader|CBaseLoader)$/;

/** `pickle.loads(pickle.dumps(v))`: loading, with the same serialiser, the bytes it has just produced. */
function roundTrip(parts: CallParts, data: Node, taint: TaintAnalysis): boolean {
  if (data.type !== 'call') return false;
  const dumped = taint.qualified(data.childForFieldName('function')) ?? '';
  const module = (name: string) => name.slice(0, name.lastIndexOf('.') + 1);
  return /(^|\.)dumps$/.test(dumped) && module(dumped) === module(parts.name ?? '');
}

export const insecureDeserialization = pythonRule({
  id: 'py.insecure-deserialization',
  issueType: 'insecure_deserialization',
  cwe: 'CWE-502',
  severity: 'high',
  message: 'Deserialisation that can construct arbitrary objects: loading untrusted data runs attacker code.',
  remediation:
    'Use a data-only format (`json`, `yaml.safe_load`); never unpickle data that crosses a trust boundary, or sign it (HMAC) and verify before loading.',
  check(_context, { taint, calls }) {
    const matches: RuleMatch[] = [];
    for (const parts of calls) {
      const yaml = named(parts, YAML_LOAD);
      if (!yaml && !named(parts, DESERIALISERS)) continue;
      const data = argument(parts, 0);
      if (!data) continue;
      let fix: Fix | undefined;
      if (yaml) {
        const loader = argument(parts, 1, 'Loader');
        if (loader && SAFE_LOADER.test(loader.text)) continue;
        if (
          !loader &&
          parts.callee.type === 'attribute' &&
          parts.name === 'yaml.load' &&
          parts.positional.length === 1
        ) {
          const attribute = parts.callee.childForFieldName('attribute')!;
          fix = {
            description: 'Use yaml.safe_load, which builds only plain data.',
            edits: [{ start: attribute.startIndex, end: attribute.endIndex, replacement: 'safe_load' }],
          };
        }
      }
      // a round trip (`pickle.loads(pickle.dumps(obj))`, a deep copy) reads bytes the program itself just
      // wrote: whatever object went in, only that object (or a copy of it) comes out
      if (roundTrip(parts, data, taint)) continue;
      const confidence = confidenceFor(taint.level(data, 'deserialization'), true);
      if (confidence)
        matches.push(
          match(parts.call, confidence, {
            severity: severityFor(confidence, 'critical', 'high'),
            ...(fix ? { fix } : {}),
          }),
        );
    }
    return matches;
  },
});

const XML_PARSERS = /(^|\.)(XMLParser|parse|fromstring|XML|iterparse|XMLTreeBuilder)$/;
const EXTERNAL_ENTITIES = /feature_external_(ges|pes)$|external-(general|parameter)-entities/;

const LXML_DEFAULT_PARSE = new Set([
  'lxml.etree.fromstring',
  'lxml.etree.XML',
  'lxml.etree.parse',
  'lxml.etree.iterparse',
]);

export const xxe = pythonRule({
  id: 'py.xxe',
  issueType: 'xxe',
  cwe: 'CWE-611',
  severity: 'high',
  message: 'XML parser resolves external entities: a document can read local files or reach internal hosts.',
  remediation:
    'Keep entity resolution off (`lxml.etree.XMLParser(resolve_entities=False, no_network=True)`), do not enable `feature_external_ges`, or parse with `defusedxml`.',
  check(_context, { calls, taint }) {
    const matches: RuleMatch[] = [];
    for (const parts of calls) {
      if (parts.name && XML_PARSERS.test(parts.name) && isTrue(parts.keywords.get('resolve_entities')))
        matches.push(match(parts.call, 'high'));
      else if (parts.name && LXML_DEFAULT_PARSE.has(parts.name) && !argument(parts, 1, 'parser')) {
        // lxml before 5.0 resolves external entities with its default parser
        const data = argument(parts, 0, 'source') ?? argument(parts, 0, 'text');
        if (data && taint.level(data) === 'tainted')
          matches.push(
            match(parts.call, 'medium', {
              severity: 'medium',
              message:
                "Request data parsed with lxml's default parser, which resolves external entities before lxml 5.0.",
            }),
          );
      } else if (parts.method === 'setFeature') {
        const feature = argument(parts, 0);
        const value = argument(parts, 1);
        if (feature && isTrue(value) && EXTERNAL_ENTITIES.test(stringValue(feature) ?? feature.text))
          matches.push(match(parts.call, 'high'));
      }
    }
    return matches;
  },
});

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

const RANDOM_FUNCTIONS = [
  'random',
  'randint',
  'randrange',
  'choice',
  'choices',
  'getrandbits',
  'sample',
  'uniform',
  'shuffle',
  'randbytes',
];
const RANDOM_CALLS = new Set(RANDOM_FUNCTIONS.map((fn) => `random.${fn}`));
const SECRET_NAME =
  /token|secret|passw|pwd|nonce|salt|otp|csrf|session|api_?key|(^|_)(key|code|pin)($|_)|reset|auth|verification/i;
const SECRETS_EQUIVALENT: Readonly<Record<string, string>> = { choice: 'choice', getrandbits: 'randbits' };

export const insecureRandom = pythonRule({
  id: 'py.insecure-random',
  issueType: 'insecure_randomness',
  cwe: 'CWE-338',
  severity: 'high',
  message: 'Security value (token, password, key) generated with `random`, whose output is predictable.',
  remediation:
    'Use the `secrets` module: `secrets.token_hex()`, `secrets.token_urlsafe()`, `secrets.choice()`, `secrets.randbits()`.',
  check(context, { calls, taint }) {
    const matches: RuleMatch[] = [];
    for (const parts of calls) {
      if (!named(parts, RANDOM_CALLS)) continue;
      const destination = destinationName(parts.call);
      if (!destination || !SECRET_NAME.test(destination)) continue;
      const fn = parts.name!.slice('random.'.length);
      const equivalent = Object.hasOwn(SECRETS_EQUIVALENT, fn) ? SECRETS_EQUIVALENT[fn] : undefined;
      let fix: Fix | undefined;
      if (equivalent) {
        fix = {
          description: `Use secrets.${equivalent}, which draws from the operating system's CSPRNG.`,
          edits: [
            ...importEdit(context.root, taint.aliases, 'secrets'),
            { start: parts.callee.startIndex, end: parts.callee.endIndex, replacement: `secrets.${equivalent}` },
          ],
        };
      }
      matches.push(match(parts.call, 'high', fix ? { fix } : {}));
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

const LOCAL_HOST = /^http:\/\/(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\])(?=[:/?#]|$)/i;

/** Clients of protocols without encryption, next to their TLS variants (`ftplib.FTP_TLS`, `smtplib.SMTP_SSL`). */
const CLEARTEXT_CLIENTS: Readonly<Record<string, string>> = {
  'ftplib.FTP': 'FTP sends credentials and files unencrypted; use `ftplib.FTP_TLS` (and `prot_p()`) or SFTP.',
  'telnetlib.Telnet': 'Telnet sends credentials and commands unencrypted; use SSH (e.g. paramiko).',
};

/** The leading constant of a URL, through module-level constants: `f"{API}/x"` with `API = "http://…"`. */
function urlPrefix(url: Node | undefined, taint: TaintAnalysis): string | undefined {
  if (!url) return undefined;
  if (url.type === 'identifier') {
    const binding = taint.bindingAt(url.text, url);
    return binding?.value ? urlPrefix(binding.value, taint) : undefined;
  }
  const first = url.type === 'string' ? children(url).find((c) => c.type !== 'string_start') : undefined;
  if (first?.type === 'interpolation') {
    const expression = first.childForFieldName('expression');
    if (expression?.type === 'identifier') {
      const binding = taint.bindingAt(expression.text, expression);
      const head = binding?.value ? stringValue(binding.value) : undefined;
      if (head !== undefined) return head + (leadingConstant(url) ?? '');
    }
  }
  if (url.type === 'binary_operator') {
    const left = url.childForFieldName('left');
    if (left?.type === 'identifier') return urlPrefix(left, taint);
  }
  return leadingConstant(url);
}

export const insecureTransport = pythonRule({
  id: 'py.insecure-transport',
  issueType: 'insecure_transport',
  cwe: 'CWE-319',
  severity: 'medium',
  message: 'Request over plain HTTP: data and credentials travel unencrypted.',
  remediation: 'Use an `https://` URL, and the TLS variants of other protocols (FTP_TLS, SSH instead of Telnet).',
  check(_context, { calls, taint }) {
    const matches: RuleMatch[] = [];
    for (const parts of calls) {
      const cleartext =
        parts.name && Object.hasOwn(CLEARTEXT_CLIENTS, parts.name) ? CLEARTEXT_CLIENTS[parts.name] : undefined;
      if (cleartext) {
        matches.push(match(parts.call, 'high', { message: cleartext }));
        continue;
      }
      if (parts.name === 'http.client.HTTPConnection') {
        const host = stringValue(argument(parts, 0, 'host'));
        if (host && !LOCAL_HOST.test(`http://${host}`))
          matches.push(
            match(parts.call, 'medium', { message: '`HTTPConnection` talks plain HTTP; use `HTTPSConnection`.' }),
          );
        continue;
      }
      const url = httpUrl(parts, taint);
      const prefix = urlPrefix(url, taint);
      if (url && prefix && /^http:\/\/[^/]/i.test(prefix) && !LOCAL_HOST.test(prefix))
        matches.push(match(url, 'medium'));
    }
    return matches;
  },
});

/** A name bound once to a literal stands for it (`verify = False`); other expressions answer themselves. */
function constantValue(node: Node | undefined, taint: TaintAnalysis): Node | undefined {
  if (node?.type !== 'identifier') return node;
  const binding = taint.bindingAt(node.text, node);
  const value = binding && !binding.augmented && binding.statement.type === 'assignment' ? binding.value : undefined;
  return value && ['true', 'false', 'string', 'integer', 'none'].includes(value.type) ? value : node;
}

/** python-jose's readers that skip verification (PyJWT's `get_unverified_header` is for choosing the key). */
const UNVERIFIED_READS = new Set(['jose.jwt.get_unverified_claims', 'jwt.get_unverified_claims']);

export const jwtMisuse = pythonRule({
  id: 'py.jwt-verification-disabled',
  issueType: 'jwt_misuse',
  cwe: 'CWE-347',
  severity: 'high',
  message: 'JWT accepted without verifying its signature: anyone can forge tokens.',
  remediation:
    'Verify the signature with an explicit algorithm list: `jwt.decode(token, key, algorithms=["HS256"])`; never allow `none`.',
  check(_context, { calls, taint }) {
    const matches: RuleMatch[] = [];
    const verifies = calls.some(
      (parts) => /^(jwt|jose\.jwt)\.decode$/.test(parts.name ?? '') && parts.positional.length > 1,
    );
    for (const parts of calls) {
      if (parts.name && UNVERIFIED_READS.has(parts.name)) {
        if (!verifies)
          matches.push(
            match(parts.call, 'medium', {
              message: `\`${parts.name}\` reads the claims without checking the signature, and this file never verifies tokens.`,
            }),
          );
        continue;
      }
      if (!parts.name || !/^(jwt|jose\.jwt)\.(decode|encode)$/.test(parts.name)) continue;
      // `options={…}` inline or through the variable it names: `opts = {"verify_signature": False}`
      let optionsNode = parts.keywords.get('options');
      if (optionsNode?.type === 'identifier') optionsNode = taint.bindingAt(optionsNode.text, optionsNode)?.value;
      const options = dictionaryPairs(optionsNode);
      const unsigned =
        options.some(
          (pair) =>
            /^verify_(signature|exp|aud|iss)$/.test(stringValue(pair.key) ?? '') &&
            isFalse(constantValue(pair.value, taint)) &&
            stringValue(pair.key) === 'verify_signature',
        ) || isFalse(constantValue(parts.keywords.get('verify'), taint));
      const algorithms = [parts.keywords.get('algorithms'), parts.keywords.get('algorithm')].filter(
        (n): n is Node => !!n,
      );
      const none = algorithms.some((node) =>
        [node, ...descendants(node, (n) => n.type === 'string')].some((n) => stringValue(n)?.toLowerCase() === 'none'),
      );
      if (unsigned || none) matches.push(match(parts.call, 'high'));
    }
    return matches;
  },
});

const isWildcard = (node: Node | undefined) =>
  node !== undefined &&
  (stringValue(node) === '*' || (node.type === 'list' && children(node).some((item) => stringValue(item) === '*')));

export const permissiveCors = pythonRule({
  id: 'py.permissive-cors',
  issueType: 'permissive_cors',
  cwe: 'CWE-942',
  severity: 'medium',
  message: 'CORS allows any origin: other sites can read responses from this API.',
  remediation: 'List the allowed origins explicitly; never combine a wildcard origin with credentials.',
  check(context, { calls, taint }) {
    const matches: RuleMatch[] = [];
    const option = (pairs: { key: Node; value: Node }[], name: string) =>
      pairs.find((pair) => stringValue(pair.key) === name)?.value;
    for (const parts of calls) {
      // Flask-CORS takes the options as keywords and, per resource, in `resources={pattern: {…}}`; a
      // resource's own options override the keywords.
      const credentials = isTrue(
        constantValue(parts.keywords.get('supports_credentials') ?? parts.keywords.get('allow_credentials'), taint),
      );
      const origins = parts.keywords.get('origins') ?? parts.keywords.get('allow_origins');
      const resources = dictionaryPairs(parts.keywords.get('resources')).map((pair) => dictionaryPairs(pair.value));
      const isCors = /(^|\.)(CORS|cross_origin)$/.test(parts.name ?? '');
      const wildcard = resources.length
        ? resources.some((options) => {
            const own = option(options, 'supports_credentials');
            if (!(own ? isTrue(constantValue(own, taint)) : credentials)) return false;
            const allowed = option(options, 'origins') ?? origins;
            return allowed ? isWildcard(allowed) : isCors;
          })
        : credentials && (isWildcard(origins) || (!origins && isCors));
      if (wildcard)
        matches.push(
          match(parts.call, 'high', {
            severity: 'high',
            message: 'CORS allows any origin with credentials: other sites can act as the logged-in user.',
          }),
        );
    }
    const allowOrigin = (target: Node, value: Node | undefined) => {
      if (!value) return;
      if (stringValue(value) === '*') matches.push(match(target, 'high'));
      else if (taint.level(value) === 'tainted')
        matches.push(
          match(target, 'high', {
            severity: 'high',
            message: 'CORS reflects the request origin: any site can read the answers.',
          }),
        );
    };
    for (const parts of calls) {
      // `response.headers.set("Access-Control-Allow-Origin", origin)`, `headers.add(…)`, `headers.update({…})`
      if (!parts.receiver || !['set', 'add', 'setdefault', '__setitem__'].includes(parts.method ?? '')) continue;
      if (stringValue(argument(parts, 0))?.toLowerCase() === 'access-control-allow-origin')
        allowOrigin(parts.call, argument(parts, 1));
    }
    for (const assignment of descendants(context.root, (node) => node.type === 'assignment')) {
      const target = assignment.childForFieldName('left');
      // `response.headers["Access-Control-Allow-Origin"] = …` (Flask, Starlette) or `response[…] = …` (Django)
      if (
        target?.type === 'subscript' &&
        stringValue(target.childForFieldName('subscript'))?.toLowerCase() === 'access-control-allow-origin'
      ) {
        allowOrigin(assignment, assignment.childForFieldName('right') ?? undefined);
        continue;
      }
      const left = target?.text ?? '';
      if (
        /^(CORS_ORIGIN_ALLOW_ALL|CORS_ALLOW_ALL_ORIGINS)$/.test(left) &&
        isTrue(assignment.childForFieldName('right') ?? undefined)
      )
        matches.push(match(assignment, 'high'));
    }
    return matches;
  },
});

const COOKIE_SETTINGS =
  /^(SESSION_COOKIE_SECURE|SESSION_COOKIE_HTTPONLY|CSRF_COOKIE_SECURE|CSRF_COOKIE_HTTPONLY|REMEMBER_COOKIE_SECURE|REMEMBER_COOKIE_HTTPONLY)$/;

function settingName(target: Node | null | undefined): string | undefined {
  if (!target) return undefined;
  if (target.type === 'identifier') return target.text;
  if (target.type === 'subscript') return stringValue(target.childForFieldName('subscript'));
  if (target.type === 'attribute') return target.childForFieldName('attribute')?.text;
  return undefined;
}

export const insecureCookie = pythonRule({
  id: 'py.insecure-cookie',
  issueType: 'insecure_cookie',
  cwe: 'CWE-614',
  severity: 'medium',
  message: 'Cookie set without `Secure`/`HttpOnly`: it can leak over HTTP or be read by scripts.',
  remediation:
    'Set cookies with `secure=True, httponly=True, samesite="Lax"` (and `SESSION_COOKIE_SECURE = True` in settings).',
  check(context, { calls }) {
    const matches: RuleMatch[] = [];
    for (const parts of calls) {
      if (
        parts.method === 'set_cookie' &&
        (isFalse(parts.keywords.get('secure')) || isFalse(parts.keywords.get('httponly')))
      )
        matches.push(match(parts.call, 'high'));
      else if ([...parts.keywords].some(([name, value]) => COOKIE_SETTINGS.test(name) && isFalse(value)))
        matches.push(match(parts.call, 'high'));
    }
    for (const assignment of descendants(context.root, (node) => node.type === 'assignment')) {
      const name = settingName(assignment.childForFieldName('left'));
      if (name && COOKIE_SETTINGS.test(name) && isFalse(assignment.childForFieldName('right') ?? undefined))
        matches.push(match(assignment, 'high'));
    }
    return matches;
  },
});

export const debugEnabled = pythonRule({
  id: 'py.debug-enabled',
  issueType: 'debug_enabled',
  cwe: 'CWE-489',
  severity: 'low',
  message: '`app.run(debug=True)` starts the Werkzeug debugger, which runs arbitrary code for anyone who can reach it.',
  remediation:
    'Turn debug mode off outside development (`debug=False`, or drive it from an environment variable) and serve with a production WSGI server.',
  check(_context, { calls }) {
    return calls
      .filter((parts) => parts.method === 'run' && parts.receiver && isTrue(parts.keywords.get('debug')))
      .map((parts) => match(parts.call, 'high'));
  },
});

export const CONFIGURATION_RULES: readonly Rule[] = [
  insecureDeserialization,
  xxe,
  weakHashRule,
  weakPasswordHash,
  weakCipher,
  weakKeySize,
  weakTlsVersion,
  insecureRandom,
  tlsVerificationDisabled,
  insecureTransport,
  jwtMisuse,
  permissiveCors,
  insecureCookie,
  debugEnabled,
];
