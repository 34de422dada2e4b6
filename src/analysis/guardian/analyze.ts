import type { Finding } from './finding.js';
import { languageOfPath, type Language } from '../languages.js';
import { parseSource } from './parser.js';
import type { Rule, RuleContext } from './rule.js';
import { suppressedRules } from './suppression.js';
import { indexTree, releaseTree } from './tree-index.js';

export class UnsupportedLanguageError extends Error {
  readonly code = 'unsupported_language';
  constructor(filePath: string) {
    super(`Guardian does not analyse ${filePath}: supported are .js/.jsx/.mjs/.cjs, .ts/.tsx/.mts/.cts and .py.`);
    this.name = 'UnsupportedLanguageError';
  }
}

export interface AnalysisInput {
  readonly code: string;
  readonly filePath: string;
  readonly language?: Language | undefined;
}

/** Parses the code and runs every rule for its language; suppressed findings are left out. */
export async function analyzeCode(
  input: AnalysisInput,
  rules: readonly Rule[],
  options: {
    /**
     * A rule that throws (a bug, or input deeper than it can walk) must not take the whole analysis down:
     * its matches are skipped and it is reported here.
     */
    onRuleError?: (ruleId: string, error: unknown) => void;
  } = {},
): Promise<Finding[]> {
  const checkSafely = (rule: Rule, context: RuleContext) => {
    try {
      return rule.check(context);
    } catch (error) {
      options.onRuleError?.(rule.id, error);
      return [];
    }
  };
  const language = input.language ?? languageOfPath(input.filePath);
  if (!language) throw new UnsupportedLanguageError(input.filePath);
  const tree = await parseSource(input.code, language);
  try {
    // While the rules run, `descendantsOfType` on this tree is answered from one walk per set of types.
    indexTree(tree);
    const context: RuleContext = {
      code: input.code,
      filePath: input.filePath,
      language,
      tree,
      root: tree.rootNode,
    };
    const suppressed = suppressedRules(input.code, language);
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const rule of rules) {
      if (!rule.languages.includes(language)) continue;
      for (const match of checkSafely(rule, context)) {
        const line = match.node.startPosition.row + 1;
        if (suppressed.get(line)?.has(rule.id) || suppressed.get(line)?.has('*')) continue;
        const key = `${rule.id}:${match.node.startIndex}:${match.node.endIndex}`;
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push({
          rule_id: rule.id,
          issue_type: rule.issueType,
          cwe: rule.cwe,
          severity: match.severity ?? rule.severity,
          confidence: match.confidence,
          line,
          column: match.node.startPosition.column + 1,
          end_line: match.node.endPosition.row + 1,
          end_column: match.node.endPosition.column + 1,
          message: match.message ?? rule.message,
          remediation: rule.remediation,
          ...(match.fix ? { fix: match.fix } : {}),
        });
      }
    }
    return findings.sort((a, b) => a.line - b.line || a.column - b.column || a.rule_id.localeCompare(b.rule_id));
  } finally {
    releaseTree(tree);
    tree.delete();
  }
}
