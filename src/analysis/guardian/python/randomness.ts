import type { Fix, RuleMatch } from '../finding.js';
import { importEdit } from './imports.js';
import { destinationName, match, named, pythonRule } from './support.js';

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
