import type { RuleMatch } from '../finding.js';
import type { Rule } from '../rule.js';
import { dottedName, stringValue, unwrap } from './syntax.js';
import { callArguments, calleeOf, calleeParts, callsIn, defineRule, isStringBuilding, constantText } from './util.js';

const SQL_METHODS = new Set([
  'query',
  'execute',
  'raw',
  'prepare',
  'whereRaw',
  'havingRaw',
  'orderByRaw',
  'joinRaw',
  'fromRaw',
  '$queryRawUnsafe',
  '$executeRawUnsafe',
  'unsafe',
]);

/** Methods of sqlite3/better-sqlite3 databases whose names are too common to be queries on their own. */
const GENERIC_SQL_METHODS = new Set(['run', 'all', 'get', 'each', 'exec']);

/** Query-builder methods whose argument is raw SQL whatever it contains. */
const SQL_FRAGMENT_METHODS = new Set([
  'raw',
  'whereRaw',
  'havingRaw',
  'orderByRaw',
  'joinRaw',
  'fromRaw',
  'groupByRaw',
]);

const SQL_KEYWORDS = /\b(select|insert|update|delete|from|where|order\s+by|values|drop|create|alter|union|join)\b/i;

/**
 * An argument vector is a collection no database driver reads as SQL. (A whole request body or query object
 * is not on this list: pg and mysql accept a `{text}`/`{sql}` config object, so passing one lets the client
 * write the query.)
 */
const WHOLE_INPUTS = new Set(['process.argv']);

export const sqlInjection: Rule = defineRule({
  id: 'js.sql-injection',
  issueType: 'sql_injection',
  cwe: 'CWE-89',
  severity: 'high',
  message: 'SQL query built from non-constant data: an attacker can change the meaning of the query.',
  remediation:
    'Use parameterised queries (placeholders such as `?` or `$1` with a values array, or a tagged template like `sql`/`$queryRaw`); never concatenate input into SQL.',
  check({ root }, taint) {
    const matches: RuleMatch[] = [];
    for (const call of callsIn(root)) {
      if (call.type !== 'call_expression') continue;
      const { method } = calleeParts(call);
      // a method of any receiver, `knex('t').whereRaw(…)` included; a bare `query(…)` is not a database call
      const member = calleeOf(call)?.type === 'member_expression';
      const generic = member && GENERIC_SQL_METHODS.has(method);
      if ((!SQL_METHODS.has(method) && !generic) || (!member && !method.startsWith('$'))) continue;
      const first = callArguments(call)[0];
      if (!first) continue;
      const built = taint.resolve(first);
      const sqlish =
        SQL_FRAGMENT_METHODS.has(method) ||
        SQL_KEYWORDS.test(constantText(built)) ||
        SQL_KEYWORDS.test(stringValue(built) ?? '');
      // `db.all(sql)`, `db.run(sql)` (sqlite3) are queries only when the text is SQL
      if (generic && !(sqlish && isStringBuilding(built))) continue;
      const level = taint.level(first);
      // a whole argument vector (`cli.execute(process.argv)`) is a collection, not query text
      if (!sqlish && WHOLE_INPUTS.has(dottedName(unwrap(first)) ?? '')) continue;
      if (level === 'tainted' && (sqlish || !isStringBuilding(built))) matches.push({ node: call, confidence: 'high' });
      else if (level === 'unknown' && sqlish && isStringBuilding(built))
        matches.push({ node: call, confidence: 'medium' });
    }
    return matches;
  },
});
