import { UnsupportedLanguageError } from '../analysis/guardian/analyze.js';
import { SEVERITIES, type Finding, type Severity } from '../analysis/guardian/finding.js';
import { languageOfPath, type Language } from '../analysis/languages.js';
import type { Compute } from '../compute/compute.js';

export interface FileAnalysis {
  readonly language: Language;
  readonly findings: Finding[];
  readonly bySeverity: Record<Severity, number>;
  readonly rulesRun: number;
}

/**
 * Guardian's analysis of one file, stored nowhere: the language from `language` or the path's extension
 * (UnsupportedLanguageError when neither names one), then every rule for it, in the compute pool so that a
 * large file does not hold up other requests. A rule that throws is logged and its matches skipped.
 */
export async function analyzeFile(
  compute: Pick<Compute, 'analyze'>,
  file: { readonly code: string; readonly filePath: string; readonly language?: Language | undefined },
  log: { error(details: object, message: string): void },
): Promise<FileAnalysis> {
  const { code, filePath } = file;
  const language = file.language ?? languageOfPath(filePath);
  if (!language) throw new UnsupportedLanguageError(filePath);
  const { findings, rulesRun, ruleErrors } = await compute.analyze({ code, filePath, language });
  for (const failure of ruleErrors) {
    log.error({ err: failure, ruleId: failure.ruleId, filePath }, 'a Guardian rule failed');
  }
  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  for (const finding of findings) bySeverity[finding.severity] += 1;
  return { language, findings, bySeverity, rulesRun };
}
