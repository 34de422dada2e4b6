import type { Node } from 'web-tree-sitter';
import { isPlaceholderSecret } from '../secrets/formats.js';
import type { RuleMatch } from '../finding.js';
import type { RuleContext } from '../rule.js';
import { literalsReportedBySecretRules } from '../secrets/index.js';
import { argument, children, descendants, stringValue, type CallParts } from './ast.js';
import { match, pythonRule } from './support.js';
import type { TaintAnalysis } from './taint.js';

/**
 * APIs whose parameter is a secret by definition: whatever string is given there signs tokens, signs session
 * cookies or keys an HMAC. A constant there is a hard-coded secret however short or guessable it is (short
 * ones are worse: they can be brute-forced from a single token or cookie).
 *
 * Only constants count: a string literal, `b"…"`, `"…".encode()`, or a variable whose value is one. Reads of
 * the environment with a development fallback (`os.environ.get("SECRET_KEY", "dev")`) are not reported.
 * Literals the generic secret rules report already (credential-named and random-looking) are left to them.
 */

/** Calls and the position/keyword of their key argument. */
const KEY_ARGUMENTS: Readonly<Record<string, readonly [number, string]>> = {
  'jwt.encode': [1, 'key'],
  'jwt.decode': [1, 'key'],
  'jose.jwt.encode': [1, 'key'],
  'jose.jwt.decode': [1, 'key'],
  'hmac.new': [0, 'key'],
  'hmac.digest': [0, 'key'],
  'itsdangerous.URLSafeTimedSerializer': [0, 'secret_key'],
  'itsdangerous.URLSafeSerializer': [0, 'secret_key'],
  'itsdangerous.TimedSerializer': [0, 'secret_key'],
  'itsdangerous.Serializer': [0, 'secret_key'],
  'itsdangerous.TimestampSigner': [0, 'secret_key'],
  'itsdangerous.Signer': [0, 'secret_key'],
};

/** Flask (and extension) settings that hold the signing key. */
const SECRET_SETTINGS = new Set(['SECRET_KEY', 'JWT_SECRET_KEY', 'WTF_CSRF_SECRET_KEY']);
/** Module-level names that mark a Django settings module. */
const DJANGO_SETTINGS = /^(INSTALLED_APPS|MIDDLEWARE|MIDDLEWARE_CLASSES|ROOT_URLCONF|ALLOWED_HOSTS|DATABASES)$/;

/** Keywords of the AWS SDK that take a secret, whatever the call (`boto3.client`, `Session`, `resource`). */
const AWS_SECRET_KEYWORDS = ['aws_secret_access_key', 'aws_session_token'];
/** Database drivers' connect functions: their password keyword is a credential whatever its value. */
const DATABASE_CONNECT = new Set([
  'mysql.connector.connect',
  'pymysql.connect',
  'MySQLdb.connect',
  'psycopg2.connect',
  'psycopg.connect',
  'pymssql.connect',
  'pyodbc.connect',
  'cx_Oracle.connect',
  'oracledb.connect',
  'asyncpg.connect',
  'asyncpg.create_pool',
  'aiomysql.connect',
  'pymongo.MongoClient',
  'redis.Redis',
  'redis.StrictRedis',
]);
const PASSWORD_KEYWORDS = ['password', 'passwd', 'pwd'];
/** A variable, attribute or key that holds a password: `password`, `user.password`, `form["admin_pwd"]`. */
const PASSWORD_NAME = /(^|[._])(password|passwd|pwd|passphrase)$/i;

/** The string literal a key expression is, directly or through a variable, `.encode()` or `bytes(…)`. */
function constantOf(node: Node | undefined, taint: TaintAnalysis, depth = 0): Node | undefined {
  if (!node || depth > 3) return undefined;
  if (node.type === 'parenthesized_expression') return constantOf(children(node)[0], taint, depth + 1);
  if (node.type === 'identifier') {
    const binding = taint.bindingAt(node.text, node);
    if (!binding || binding.augmented || binding.statement.type !== 'assignment') return undefined;
    return constantOf(binding.value, taint, depth + 1);
  }
  if (node.type === 'call') {
    const callee = node.childForFieldName('function');
    const args = children(node.childForFieldName('arguments') ?? node).filter((n) => n.type !== 'comment');
    if (callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'encode')
      return constantOf(callee.childForFieldName('object') ?? undefined, taint, depth + 1);
    if (callee?.type === 'identifier' && ['bytes', 'bytearray', 'str'].includes(callee.text))
      return constantOf(args[0], taint, depth + 1);
    return undefined;
  }
  const value = stringValue(node);
  if (value === undefined || isPlaceholderSecret(value)) return undefined;
  return node;
}

/** `app.config["SECRET_KEY"]` → `SECRET_KEY`; `app.secret_key` → `SECRET_KEY`. */
function settingOf(target: Node | null | undefined): string | undefined {
  if (target?.type === 'subscript' && /(^|\.)config$/.test(target.childForFieldName('value')?.text ?? ''))
    return stringValue(target.childForFieldName('subscript'));
  if (target?.type === 'attribute' && target.childForFieldName('attribute')?.text === 'secret_key') return 'SECRET_KEY';
  return undefined;
}

function isDjangoSettings(context: RuleContext): boolean {
  if (/(^|[\\/])settings([\\/][^\\/]+)?\.py$|(^|[\\/])settings_?\w*\.py$/i.test(context.filePath)) return true;
  return children(context.root).some((statement) => {
    const assignment = children(statement)[0];
    return assignment?.type === 'assignment' && DJANGO_SETTINGS.test(assignment.childForFieldName('left')?.text ?? '');
  });
}

const lineOf = (node: Node) => node.startPosition.row + 1;

export const hardCodedSecretKey = pythonRule({
  id: 'py.hard-coded-secret',
  issueType: 'hard_coded_secret',
  cwe: 'CWE-798',
  severity: 'high',
  message: 'A signing, session or HMAC secret is hard-coded in the source.',
  remediation:
    'Load the secret at run time from the environment or a secret manager (and fail to start without it), ' +
    'then rotate it: anyone with the code can forge tokens or session cookies with the current one.',
  check(context, { calls, taint }) {
    const matches: RuleMatch[] = [];
    let alreadyReported: Set<number> | undefined;
    const report = (node: Node, key: Node | undefined, what: string) => {
      const literal = constantOf(key, taint);
      if (!key || !literal) return;
      alreadyReported ??= literalsReportedBySecretRules(context);
      if (alreadyReported.has(literal.startIndex)) return;
      const through = key.type === 'identifier' ? ` through \`${key.text}\` (line ${lineOf(literal)})` : '';
      matches.push(match(node, 'high', { message: `${what} is a string hard-coded in the source${through}.` }));
    };
    const keyCall = (parts: CallParts) =>
      parts.name && Object.hasOwn(KEY_ARGUMENTS, parts.name) ? KEY_ARGUMENTS[parts.name] : undefined;

    for (const parts of calls) {
      const spec = keyCall(parts);
      if (spec) {
        const key = argument(parts, spec[0], spec[1]);
        report(key ?? parts.call, key, `The \`${parts.name}\` key`);
        continue;
      }
      for (const keyword of AWS_SECRET_KEYWORDS) {
        const value = parts.keywords.get(keyword);
        if (value) report(value, value, `The \`${keyword}\` argument`);
      }
      if (parts.name && DATABASE_CONNECT.has(parts.name))
        for (const keyword of PASSWORD_KEYWORDS) {
          const value = parts.keywords.get(keyword);
          if (value) report(value, value, 'The database password');
        }
      // `app.config.update(SECRET_KEY="…")`, `app.config.from_mapping(SECRET_KEY="…")`, `Flask(…).config.update`
      if (
        (parts.method === 'update' || parts.method === 'from_mapping') &&
        /(^|\.)config$/.test(parts.receiver?.text ?? '')
      ) {
        for (const [name, value] of parts.keywords)
          if (SECRET_SETTINGS.has(name)) report(value, value, `The \`${name}\` setting`);
        const dict = parts.positional[0];
        if (dict?.type === 'dictionary')
          for (const pair of children(dict).filter((n) => n.type === 'pair')) {
            const name = stringValue(pair.childForFieldName('key'));
            if (name && SECRET_SETTINGS.has(name)) {
              const value = pair.childForFieldName('value') ?? undefined;
              report(pair, value, `The \`${name}\` setting`);
            }
          }
      }
    }

    // `app.secret_key = "…"`, `app.config["SECRET_KEY"] = "…"`; in a Django settings module or a
    // configuration class, `SECRET_KEY = "…"`
    let django: boolean | undefined;
    for (const assignment of descendants(context.root, (node) => node.type === 'assignment')) {
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right') ?? undefined;
      const setting = settingOf(left);
      if (setting && SECRET_SETTINGS.has(setting)) {
        report(assignment, right, `The \`${setting}\` setting`);
        continue;
      }
      if (left?.type !== 'identifier' || !SECRET_SETTINGS.has(left.text)) continue;
      const block = assignment.parent?.parent;
      const inConfigClass =
        block?.type === 'block' &&
        block.parent?.type === 'class_definition' &&
        /config|settings/i.test(block.parent.childForFieldName('name')?.text ?? '');
      const atModuleLevel = block?.type === 'module';
      if (inConfigClass || (atModuleLevel && (django ??= isDjangoSettings(context))))
        report(assignment, right, `The \`${left.text}\` setting`);
    }
    // `if password == "admin":`: the expected password is in the source
    for (const comparison of descendants(context.root, (node) => node.type === 'comparison_operator')) {
      const operands = comparison.children.filter((child): child is Node => child !== null);
      if (operands.length !== 3 || !['==', '!='].includes(operands[1]!.type)) continue;
      const [left, , right] = operands as [Node, Node, Node];
      const [name, literal] = stringValue(right) !== undefined ? [left, right] : [right, left];
      if (!['identifier', 'attribute', 'subscript'].includes(name.type)) continue;
      const label = name.type === 'subscript' ? stringValue(name.childForFieldName('subscript')) : name.text;
      if (!label || !PASSWORD_NAME.test(label) || stringValue(literal) === undefined) continue;
      report(comparison, literal, `\`${name.text}\` is compared with a password that`);
    }
    return matches;
  },
});
