import { publishGuardianEvent } from './guardian-events.js';
import { sha256 } from '../analysis/changes.js';
import { git } from '../git/git.js';
import { readBlob, repositoryGitOptions, resolveHead } from '../repositories/git-repository.js';
import { effectivePolicy } from '../repositories/policy.js';
import type { Repository } from '../repositories/repository-store.js';
import type { TaskContext } from '../tasks/agent-definition.js';
import { targetRepositories, type RepositoryInput } from '../repositories/repository-inventory.js';
import { SEVERITIES, type Severity } from '../analysis/guardian/finding.js';
import { languageOfPath } from '../analysis/languages.js';
import type { Rule } from '../analysis/guardian/rule.js';
import { GUARDIAN_RULES } from '../analysis/guardian/rules.js';
import { contentSha256, fingerprintFindings, lineStarts, snippetOf } from './fingerprint.js';
import { ignoreMatcher, isVendored } from './ignore-list.js';
import { forgetFiles, recordFileScan, storedFileScans, type ScannedSuggestion } from './suggestion-store.js';

/** Files larger than this are not analysed (generated or data files, as a rule). */
export const MAX_SCANNED_FILE_BYTES = 1024 * 1024;
/** Raised when the analysis changes in a way that must re-scan every file. */
const SCAN_VERSION = '1';

export interface RepositoryScanResult {
  repository_id: string;
  name: string;
  head_commit: string | null;
  files_total: number;
  files_in_scope: number;
  files_scanned: number;
  files_unchanged: number;
  files_skipped: number;
  files_failed: number;
  findings: number;
  new_suggestions: number;
  resolved: number;
  by_severity: Record<Severity, number>;
}

const emptyBySeverity = () =>
  Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;

interface TreeFile {
  path: string;
  mode: string;
  blob: string;
  size: number;
}

async function listFiles(repository: Repository, commit: string, signal: AbortSignal): Promise<TreeFile[]> {
  const { stdout } = await git(
    ['ls-tree', '-r', '-z', '-l', '--full-tree', '--end-of-options', commit],
    repositoryGitOptions(repository.path, { timeoutMs: 120_000 }),
  );
  signal.throwIfAborted();
  const files: TreeFile[] = [];
  for (const record of stdout.split('\0')) {
    const match = /^(\d{6}) (\w+) ([0-9a-f]+) +(-|\d+)\t(.*)$/s.exec(record);
    if (!match || match[2] !== 'blob') continue;
    files.push({ mode: match[1]!, blob: match[3]!, size: Number(match[4]), path: match[5]! });
  }
  return files;
}

/** Identifies the rules that run, so that changing the ignore list (or the rules) re-scans every file. */
function rulesKeyOf(rules: readonly Rule[]): string {
  return sha256([SCAN_VERSION, ...rules.map((rule) => rule.id).sort()].join('\n'));
}

/**
 * Scans one repository at the tip of its default branch: every file Guardian analyses whose content (or
 * the rule set) changed since its last scan is analysed and its findings stored as suggestions.
 */
export async function scanRepository(
  context: TaskContext<RepositoryInput>,
  repository: Repository,
  report: (fraction: number) => Promise<void>,
): Promise<RepositoryScanResult> {
  const { signal } = context;
  const orm = context.database.orm;
  const result: RepositoryScanResult = {
    repository_id: repository.id,
    name: repository.name,
    head_commit: null,
    files_total: 0,
    files_in_scope: 0,
    files_scanned: 0,
    files_unchanged: 0,
    files_skipped: 0,
    files_failed: 0,
    findings: 0,
    new_suggestions: 0,
    resolved: 0,
    by_severity: emptyBySeverity(),
  };
  const head = await resolveHead(repository).catch(() => undefined);
  if (!head) {
    await context.log('warn', `${repository.name}: no commit on ${repository.defaultBranch}, skipped`);
    return result;
  }
  result.head_commit = head;
  const ignore = ignoreMatcher(effectivePolicy(repository.policy).guardian_ignore);
  const rules = GUARDIAN_RULES.filter((rule) => !ignore.ignoresRule(rule.id));
  const rulesKey = rulesKeyOf(rules);
  const ruleIds = rules.map((rule) => rule.id);

  const files = await listFiles(repository, head, signal);
  result.files_total = files.length;
  const inScope = files.filter(
    (file) =>
      file.mode !== '120000' && languageOfPath(file.path) && !isVendored(file.path) && !ignore.ignoresPath(file.path),
  );
  result.files_in_scope = inScope.length;
  const stored = await storedFileScans(orm, repository.id);
  const present = new Set(inScope.map((file) => file.path));
  result.resolved += await forgetFiles(
    orm,
    repository.id,
    [...stored.keys()].filter((filePath) => !present.has(filePath)),
    new Date(),
  );
  await context.log(
    'info',
    `${repository.name}@${head.slice(0, 12)}: ${inScope.length} of ${files.length} files in scope, ${rules.length} rules`,
  );

  for (const [index, file] of inScope.entries()) {
    signal.throwIfAborted();
    if (index % 20 === 0) await report(index / Math.max(1, inScope.length));
    if (file.size > MAX_SCANNED_FILE_BYTES) {
      result.files_skipped += 1;
      continue;
    }
    const bytes = await readBlob(repository, file.blob);
    if (bytes.includes(0)) {
      result.files_skipped += 1;
      continue;
    }
    const contentHash = contentSha256(bytes);
    const previous = stored.get(file.path);
    if (previous && previous.contentHash === contentHash && previous.rulesKey === rulesKey) {
      result.files_unchanged += 1;
      continue;
    }
    const code = bytes.toString('utf8');
    let findings;
    try {
      // On a thread of the compute pool: a large file does not stall the process's requests and streams,
      // and one whose analysis passes COMPUTE_TASK_TIMEOUT_MS is stopped and counted as failed.
      const outcome = await context.compute.analyze({ code, filePath: file.path, ruleIds });
      for (const ruleError of outcome.ruleErrors) {
        await context.log('warn', `${file.path}: rule ${ruleError.ruleId} failed: ${ruleError.message}`);
      }
      findings = outcome.findings;
    } catch (error) {
      signal.throwIfAborted();
      result.files_failed += 1;
      await context.log('warn', `${file.path}: not analysed: ${(error as Error).message}`);
      continue;
    }
    signal.throwIfAborted();
    const fingerprints = fingerprintFindings(repository.id, file.path, code, findings);
    const starts = lineStarts(code);
    const scanned: ScannedSuggestion[] = [];
    const seen = new Set<string>();
    for (const [position, finding] of findings.entries()) {
      const fingerprint = fingerprints[position]!;
      if (seen.has(fingerprint)) continue;
      seen.add(fingerprint);
      scanned.push({
        fingerprint,
        ruleId: finding.rule_id,
        issueType: finding.issue_type,
        cwe: finding.cwe,
        severity: finding.severity,
        confidence: finding.confidence,
        line: finding.line,
        column: finding.column,
        endLine: finding.end_line,
        endColumn: finding.end_column,
        message: finding.message,
        remediation: finding.remediation,
        codeSnippet: snippetOf(code, starts, finding),
        fix: finding.fix
          ? {
              description: finding.fix.description,
              edits: finding.fix.edits.map(({ start, end, replacement }) => ({ start, end, replacement })),
            }
          : null,
      });
      result.by_severity[finding.severity] += 1;
    }
    const outcome = await recordFileScan(orm, {
      repositoryId: repository.id,
      filePath: file.path,
      contentHash,
      rulesKey,
      commit: head,
      findings: scanned,
      now: new Date(),
    });
    result.files_scanned += 1;
    result.findings += scanned.length;
    result.new_suggestions += outcome.created;
    result.resolved += outcome.resolved;
    if (scanned.length > 0) {
      await context.log('info', `${file.path}: ${scanned.length} finding(s), ${outcome.created} new`);
    }
  }
  await context.log(
    'info',
    `${repository.name}: ${result.files_scanned} scanned, ${result.files_unchanged} unchanged, ` +
      `${result.new_suggestions} new suggestion(s), ${result.resolved} resolved`,
  );
  await publishGuardianEvent(context.events, 'guardian.scan_completed', {
    repository_id: repository.id,
    commit: head,
    task_id: context.task.id,
    new_suggestions: result.new_suggestions,
    resolved: result.resolved,
    findings: result.findings,
    by_severity: result.by_severity,
  });
  return result;
}

/** The guardian agent's task: scans the repository in its input, or every registered one. */
export async function runGuardianScan(context: TaskContext<RepositoryInput>): Promise<Record<string, unknown>> {
  const found = await targetRepositories(context);
  const results: RepositoryScanResult[] = [];
  let lastPercent = -1;
  for (const [index, repository] of found.entries()) {
    context.signal.throwIfAborted();
    results.push(
      await scanRepository(context, repository, async (fraction) => {
        const percent = Math.floor(((index + fraction) / found.length) * 100);
        if (percent > lastPercent) {
          lastPercent = percent;
          await context.progress(percent);
        }
      }),
    );
  }
  const total = (key: keyof RepositoryScanResult) => results.reduce((sum, result) => sum + (result[key] as number), 0);
  const bySeverity = emptyBySeverity();
  for (const result of results) for (const severity of SEVERITIES) bySeverity[severity] += result.by_severity[severity];
  return {
    kind: 'guardian_scan',
    files_total: total('files_total'),
    files_scanned: total('files_scanned'),
    files_unchanged: total('files_unchanged'),
    files_skipped: total('files_skipped'),
    files_failed: total('files_failed'),
    findings: total('findings'),
    new_suggestions: total('new_suggestions'),
    resolved: total('resolved'),
    by_severity: bySeverity,
    repositories: results,
  };
}
