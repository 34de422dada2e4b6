import type { Fix, RuleMatch } from '../finding.js';
import { LANGUAGES } from '../../languages.js';
import { importAliases } from '../python/ast.js';
import type { Rule, RuleContext } from '../rule.js';
import {
  environmentVariableName,
  isCredentialName,
  isWordLabel,
  knownFormatIn,
  looksLikeSecretValue,
} from './formats.js';
import { stringLiterals, type StringLiteral } from './literals.js';

/** Test code by its path: test folders, fixtures, `*.test.*` and `*.spec.*` files, `test_*.py`. */
const TEST_PATH = /(^|\/)(tests?|__tests__|spec|fixtures?)\/|\.(test|spec)\.[cm]?[jt]sx?$|(^|\/)test_[^/]*\.py$/;

const CWE = 'CWE-798';
const ISSUE_TYPE = 'hard_coded_secret';

/** A JavaScript file reads `process.env.NAME`; a Python file that imports `os` reads `os.environ["NAME"]`. */
function environmentFix(literal: StringLiteral, context: RuleContext): Fix | undefined {
  const target = literal.target;
  if (!target || target.kind !== 'assignment') return undefined;
  const variable = environmentVariableName(target.name);
  if (!variable) return undefined;
  let replacement: string;
  if (context.language === 'javascript') {
    replacement = `process.env.${variable}`;
  } else if (context.language === 'python') {
    // Only when `os` is imported already: adding an import could land above a `from __future__` line.
    if (importAliases(context.root).get('os') !== 'os') return undefined;
    replacement = `os.environ["${variable}"]`;
  } else {
    // TypeScript types `process.env.X` as `string | undefined`: the swap could break type checking.
    return undefined;
  }
  return {
    description: `Read the value from the environment variable ${variable} instead of the source code`,
    edits: [{ start: literal.node.startIndex, end: literal.node.endIndex, replacement }],
  };
}

const shortName = (name: string) => (name.length > 60 ? `${name.slice(0, 57)}...` : name);

/** Tokens of well-known services, wherever the string appears. */
const knownTokenRule: Rule = {
  id: 'secrets.known-token',
  issueType: ISSUE_TYPE,
  cwe: CWE,
  severity: 'high',
  languages: LANGUAGES,
  message: 'A credential of a well-known format is hard-coded in the source.',
  remediation:
    'Revoke and rotate the credential now (it is in the history of every copy of the code), then load it at ' +
    'run time from the environment or a secret manager.',
  check(context) {
    const matches: RuleMatch[] = [];
    for (const literal of stringLiterals(context.root, context.language)) {
      const format = knownFormatIn(literal.value);
      if (!format) continue;
      const fix =
        literal.target && isCredentialName(literal.target.name) ? environmentFix(literal, context) : undefined;
      matches.push({
        node: literal.node,
        confidence: 'high',
        message: `A ${format} is hard-coded in the source.`,
        ...(fix ? { fix } : {}),
      });
    }
    return matches;
  },
};

/** Random-looking constants given to a variable, property, keyword or parameter named like a credential. */
/** Whether secrets.hard-coded-credential reports a literal: a credential-named target given a secret-like value. */
function isHardCodedCredential(literal: StringLiteral, inTestCode: boolean): boolean {
  const target = literal.target;
  if (!target || !isCredentialName(target.name) || !looksLikeSecretValue(literal.value)) return false;
  // a hyphenated phrase is a label in a test's fixtures; in application code it is a guessable secret
  return !(inTestCode && isWordLabel(literal.value, target.name));
}

/**
 * The start offsets of the string literals the secrets rules report in a file (a known token format, or a
 * hard-coded credential), so that a language's rules about secret-taking APIs do not report one twice.
 */
export function literalsReportedBySecretRules(context: RuleContext): Set<number> {
  const inTestCode = TEST_PATH.test(context.filePath);
  const reported = new Set<number>();
  for (const literal of stringLiterals(context.root, context.language)) {
    if (knownFormatIn(literal.value) || isHardCodedCredential(literal, inTestCode))
      reported.add(literal.node.startIndex);
  }
  return reported;
}

const hardCodedCredentialRule: Rule = {
  id: 'secrets.hard-coded-credential',
  issueType: ISSUE_TYPE,
  cwe: CWE,
  severity: 'high',
  languages: LANGUAGES,
  message: 'A password, secret, API key or token is hard-coded in the source.',
  remediation:
    'Load the credential at run time from the environment or a secret manager, and rotate it if this code ' +
    'was ever shared.',
  check(context) {
    const matches: RuleMatch[] = [];
    const inTestCode = TEST_PATH.test(context.filePath);
    for (const literal of stringLiterals(context.root, context.language)) {
      const target = literal.target;
      if (!target || !isHardCodedCredential(literal, inTestCode)) continue;
      if (knownFormatIn(literal.value)) continue; // reported by secrets.known-token
      const fix = environmentFix(literal, context);
      matches.push({
        node: literal.node,
        confidence: 'medium',
        message:
          target.kind === 'comparison'
            ? `\`${shortName(target.name)}\` is compared with a hard-coded credential.`
            : target.kind === 'argument'
              ? 'A hard-coded password is passed to a login call.'
              : `\`${shortName(target.name)}\` is given a hard-coded credential.`,
        ...(fix ? { fix } : {}),
      });
    }
    return matches;
  },
};

export const SECRET_RULES: Rule[] = [knownTokenRule, hardCodedCredentialRule];
