/**
 * Secret formats and the heuristics that tell a credential from a placeholder. Regular expressions are
 * used only here, for the shapes of the secrets themselves; where a string sits is read from the tree.
 */

export interface KnownFormat {
  readonly name: string;
  readonly pattern: RegExp;
}

/** Well-known token shapes (each is specific enough that a match is almost certainly a real credential). */
export const KNOWN_FORMATS: readonly KnownFormat[] = [
  { name: 'AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/ },
  { name: 'GitHub fine-grained token', pattern: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/ },
  { name: 'Slack token', pattern: /\bxox[baprs]-[A-Za-z0-9-]{10,}/ },
  { name: 'Stripe live secret key', pattern: /\b[sr]k_live_[0-9A-Za-z]{24,}\b/ },
  { name: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/ },
  { name: 'JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
];

const PRIVATE_KEY_HEADER = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/;

/** Shannon entropy of a string in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  const length = [...text].length;
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** Placeholders and documentation values: `AKIAIOSFODNN7EXAMPLE`, `ghp_xxxx…`, `<your token>`. */
function looksLikePlaceholderToken(token: string): boolean {
  return /example|x{4,}|0{6,}|\*{3,}|\.\.\./i.test(token) || shannonEntropy(token) < 3;
}

/** A private key block with a body (a bare header, as in `pem.startsWith('-----BEGIN…')`, is not a secret). */
function privateKeyBlock(value: string): boolean {
  const header = PRIVATE_KEY_HEADER.exec(value);
  if (!header) return false;
  const rest = value.slice(header.index + header[0].length);
  const endAt = rest.indexOf('-----END');
  const body = (endAt === -1 ? rest : rest.slice(0, endAt)).replace(/\\[nrt]|\s/g, '');
  const base64 = body.replace(/[^A-Za-z0-9+/=]/g, '');
  return base64.length >= 40 && !looksLikePlaceholderToken(base64);
}

/** The name of the first known secret format the string contains, if any. */
export function knownFormatIn(value: string): string | undefined {
  if (value.length > 100_000) return undefined;
  if (privateKeyBlock(value)) return 'private key';
  for (const format of KNOWN_FORMATS) {
    const match = format.pattern.exec(value);
    if (match && !looksLikePlaceholderToken(match[0])) return format.name;
  }
  return undefined;
}

const PLACEHOLDER =
  /changeme|change[_-]me|x{3,}|\*{3,}|\.{3}|\$\{|\{\{|%\(|process\.env|os\.environ|getenv|example|placeholder|dummy|sample|fake|test|mock|your[_-]|insert[_-]|replace[_-]?me|redacted|todo|fixme|secret|password/i;

export const MIN_SECRET_LENGTH = 16;
export const MIN_SECRET_ENTROPY = 3.5;

/**
 * Whether a constant assigned to a credential-named target looks like a real secret: long, random
 * (high entropy), and not a placeholder, a template, an environment variable's name, a URL or a path.
 */
export function looksLikeSecretValue(value: string): boolean {
  if (value.length < MIN_SECRET_LENGTH || value.length > 10_000) return false;
  if (/\s/.test(value)) return false;
  if (PLACEHOLDER.test(value)) return false;
  if (/^<.*>$/.test(value)) return false;
  if (/^[A-Z0-9_]+$/.test(value)) return false; // the name of an environment variable
  if (/^[a-z0-9_-]+(?:\.[a-z0-9_-]+)+$/i.test(value)) return false; // a dotted key, host or module name
  if (/^[a-z][a-z0-9+.-]*:\/\/[^@]*$/i.test(value)) return false; // a URL without credentials
  if (/^(?:\.{0,2}\/|~\/)/.test(value)) return false; // a path
  return shannonEntropy(value) >= MIN_SECRET_ENTROPY;
}

const CREDENTIAL_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'credential',
  'credentials',
]);
const CREDENTIAL_PAIRS = new Set(['api key', 'access key', 'private key', 'secret key', 'auth key', 'client secret']);
/** Names that are about a credential without holding one: `password_field`, `token_url`, `secret_name`. */
const DESCRIPTIVE_LAST_WORDS = new Set([
  'name',
  'names',
  'type',
  'types',
  'field',
  'label',
  'url',
  'uri',
  'endpoint',
  'path',
  'file',
  'dir',
  'header',
  'id',
  'ids',
  'length',
  'len',
  'prompt',
  'placeholder',
  'pattern',
  'regex',
  're',
  'hint',
  'message',
  'msg',
  'error',
  'count',
  'env',
  'var',
  'variable',
  'format',
  'prefix',
  'param',
]);

/** The words of an identifier: `apiKey`, `API_KEY` and `api-key` are all `api key`. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Whether a variable, property or keyword name says it holds a credential. */
export function isCredentialName(name: string): boolean {
  const words = nameWords(name);
  if (words.length === 0) return false;
  if (DESCRIPTIVE_LAST_WORDS.has(words.at(-1)!)) return false;
  if (words.some((word) => CREDENTIAL_WORDS.has(word))) return true;
  return words.some((word, index) => index > 0 && CREDENTIAL_PAIRS.has(`${words[index - 1]} ${word}`));
}

/** `apiKey` → `API_KEY`, for the environment variable a fix reads instead; undefined when none fits. */
export function environmentVariableName(name: string): string | undefined {
  const variable = nameWords(name).join('_').toUpperCase();
  return /^[A-Z_][A-Z0-9_]*$/.test(variable) ? variable : undefined;
}

const PASSWORD_WORDS = new Set(['password', 'passwd', 'pwd', 'passphrase']);

/**
 * A lowercase phrase of three or more words joined by hyphens (`expired-access-token`, `should-not-be-called`)
 * labels a value for a reader; machine-issued tokens, keys and secrets are random text. A password can be a
 * passphrase, so password-named targets keep being checked.
 */
export function isWordLabel(value: string, name: string): boolean {
  if (!/^[a-z]+(?:-[a-z]+){2,}$/.test(value)) return false;
  return !nameWords(name).some((word) => PASSWORD_WORDS.has(word));
}

/**
 * Values that only stand in for a secret: empty, `<your-secret>`, `{{SECRET}}`, `${SECRET}`, or one character
 * repeated four times or more (`xxxxxxxx`). A secret-taking API given one of these holds no real key.
 */
export function isPlaceholderSecret(value: string): boolean {
  return /^\s*$|^<[^>]*>$|^\{\{[^}]*\}\}$|^\$\{[^}]*\}$|^(.)\1{3,}$/s.test(value);
}
