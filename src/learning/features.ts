import path from 'node:path';
import { SEVERITIES, type Severity } from '../analysis/guardian/finding.js';
import type { ProposalFeatures } from '../analysis/acceptance/proposal-features.js';
import type { Proposal } from '../proposals/transition-store.js';

/** The columns of a proposal the features come from (a stored row, or one about to be stored). */
export type FeatureSource = Pick<
  Proposal,
  | 'aiType'
  | 'repositoryId'
  | 'ruleId'
  | 'category'
  | 'confidence'
  | 'filePath'
  | 'additions'
  | 'deletions'
  | 'hunks'
  | 'testResults'
  | 'findings'
>;

/** The highest severity of the findings the change introduces, null when none. */
function highestIntroducedSeverity(findings: readonly Record<string, unknown>[]): string | null {
  let highest: string | null = null;
  for (const finding of findings) {
    if (finding.status !== 'introduced' || typeof finding.severity !== 'string') continue;
    if (
      highest === null ||
      SEVERITIES.indexOf(finding.severity as Severity) > SEVERITIES.indexOf(highest as Severity)
    ) {
      highest = finding.severity;
    }
  }
  return highest;
}

const LANGUAGES: Record<string, string> = {
  '.ts': 'typescript',
  '.tsx': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.js': 'javascript',
  '.jsx': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.py': 'python',
  '.go': 'go',
  '.rs': 'rust',
  '.java': 'java',
  '.kt': 'kotlin',
  '.rb': 'ruby',
  '.php': 'php',
  '.cs': 'csharp',
  '.c': 'c',
  '.h': 'c',
  '.cpp': 'cpp',
  '.hpp': 'cpp',
  '.dart': 'dart',
  '.swift': 'swift',
  '.sh': 'shell',
  '.sql': 'sql',
  '.json': 'json',
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.toml': 'toml',
  '.md': 'markdown',
  '.html': 'html',
  '.css': 'css',
};

export function languageOf(filePath: string): string {
  const extension = path.posix.extname(filePath).toLowerCase();
  return LANGUAGES[extension] ?? (extension ? extension.slice(1) : 'none');
}

export function pathPatternOf(filePath: string): { pattern: string; directory: string } {
  const segments = filePath.split('/');
  const directory = segments.length > 1 ? segments[0]! : '.';
  const extension = path.posix.extname(filePath).toLowerCase();
  const file = `*${extension}`;
  return { pattern: directory === '.' ? file : `${directory}/${file}`, directory };
}

export function extractFeatures(proposal: FeatureSource): ProposalFeatures {
  const { pattern, directory } = pathPatternOf(proposal.filePath);
  const verdict = proposal.testResults?.verdict;
  return {
    agent: proposal.aiType,
    rule_id: proposal.ruleId,
    category: proposal.category,
    language: languageOf(proposal.filePath),
    path_pattern: pattern,
    directory,
    diff_size: proposal.additions + proposal.deletions,
    additions: proposal.additions,
    deletions: proposal.deletions,
    hunks: proposal.hunks,
    confidence: proposal.confidence,
    test_verdict: typeof verdict === 'string' ? verdict : null,
    guardian_delta: proposal.findings
      ? proposal.findings.filter((finding) => finding.status === 'introduced').length
      : null,
    guardian_severity: proposal.findings ? highestIntroducedSeverity(proposal.findings) : null,
    guardian_resolved: proposal.findings
      ? proposal.findings.filter((finding) => finding.status === 'resolved').length
      : null,
    repository_id: proposal.repositoryId,
  };
}
