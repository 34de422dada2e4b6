import type { Node } from 'web-tree-sitter';
import { argument, isStringBuilding, leadingConstant } from './ast.js';
import { sinkRule } from './sink-rule.js';
import { named } from './support.js';
import type { TaintAnalysis } from './taint.js';

/** Whether an argument is a string built by formatting, directly or through the variable it names. */
function builtString(arg: Node, taint: TaintAnalysis): boolean {
  if (isStringBuilding(arg)) return true;
  if (arg.type !== 'identifier') return false;
  const binding = taint.bindingAt(arg.text, arg);
  return isStringBuilding(binding?.value) || binding?.augmented === true;
}

const SQL_METHODS = new Set(['execute', 'executemany', 'executescript', 'raw', 'mogrify']);

const SQL_TEXT = new Set([
  'sqlalchemy.text',
  'sqlalchemy.sql.text',
  'sqlalchemy.sql.expression.text',
  'django.db.models.expressions.RawSQL',
  'django.db.models.RawSQL',
]);

/** asyncpg's (and databases'/aiosqlite's) query methods: generic names, sinks only for text that reads as SQL. */
const SQL_QUERY_METHODS = new Set(['fetch', 'fetchrow', 'fetchval', 'fetch_all', 'fetch_one', 'fetch_val']);

const SQL_STATEMENT = /^\s*\(?\s*(select|insert|update|delete|with|replace|merge|create|drop|alter)\s/i;

/** Whether a query argument starts with SQL text, directly or through the variable it names. */
function sqlText(arg: Node | undefined, taint: TaintAnalysis): boolean {
  if (!arg) return false;
  const value = arg.type === 'identifier' ? taint.bindingAt(arg.text, arg)?.value : arg;
  return SQL_STATEMENT.test(leadingConstant(value) ?? '');
}

export const sqlInjection = sinkRule({
  id: 'py.sql-injection',
  issueType: 'sql_injection',
  cwe: 'CWE-89',
  severity: 'high',
  message: 'SQL query built from untrusted data: an attacker can change the query.',
  remediation:
    'Pass values as query parameters (`cursor.execute("… WHERE id = %s", (value,))`, SQLAlchemy bound parameters) instead of formatting them into the SQL string.',
  kind: 'sql',
  sink(parts, taint) {
    if (parts.method && SQL_QUERY_METHODS.has(parts.method) && parts.receiver) {
      const query = argument(parts, 0, 'query');
      return sqlText(query, taint) ? [query] : undefined;
    }
    if (parts.method === 'extra' && parts.receiver) return [...parts.positional, ...parts.keywords.values()];
    if ((parts.method && SQL_METHODS.has(parts.method) && parts.receiver) || named(parts, SQL_TEXT))
      return [argument(parts, 0, 'sql') ?? argument(parts, 0, 'operation') ?? argument(parts, 0, 'raw_query')];
    return undefined;
  },
  reportUnknown: builtString,
});
