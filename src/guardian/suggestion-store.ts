import { and, asc, count, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { guardianFileScans, guardianSuggestions } from '../db/schema.js';

export type GuardianSuggestion = typeof guardianSuggestions.$inferSelect;
export const SUGGESTION_STATUSES = ['pending', 'approved', 'rejected', 'ignored'] as const;
export type SuggestionStatus = (typeof SUGGESTION_STATUSES)[number];

/** What a scan knows of one finding; status and review fields are never set by a scan. */
export type ScannedSuggestion = Pick<
  typeof guardianSuggestions.$inferInsert,
  | 'fingerprint'
  | 'ruleId'
  | 'issueType'
  | 'cwe'
  | 'severity'
  | 'confidence'
  | 'line'
  | 'column'
  | 'endLine'
  | 'endColumn'
  | 'message'
  | 'remediation'
  | 'codeSnippet'
  | 'fix'
>;

export interface FileScanRecord {
  readonly repositoryId: string;
  readonly filePath: string;
  readonly contentHash: string;
  readonly rulesKey: string;
  readonly commit: string;
  readonly findings: readonly ScannedSuggestion[];
  readonly now: Date;
}

/** The stored scans of a repository's files, by path. */
export async function storedFileScans(
  orm: Orm,
  repositoryId: string,
): Promise<Map<string, { contentHash: string; rulesKey: string; findings: number }>> {
  const rows = await orm
    .select({
      filePath: guardianFileScans.filePath,
      contentHash: guardianFileScans.contentHash,
      rulesKey: guardianFileScans.rulesKey,
      findings: guardianFileScans.findings,
    })
    .from(guardianFileScans)
    .where(eq(guardianFileScans.repositoryId, repositoryId));
  return new Map(rows.map((row) => [row.filePath, row]));
}

/**
 * Stores what one file's scan found, in one transaction: new fingerprints become pending suggestions,
 * known ones get their new position and last_seen_at (their status is kept, so an ignored one stays
 * ignored), the file's suggestions that were not found again are resolved, and the file's content hash is
 * recorded. Upserting by fingerprint makes a retried attempt harmless.
 */
export async function recordFileScan(orm: Orm, record: FileScanRecord): Promise<{ created: number; resolved: number }> {
  return orm.transaction(async (transaction) => {
    const existing = await transaction
      .select({ fingerprint: guardianSuggestions.fingerprint, resolved: guardianSuggestions.resolved })
      .from(guardianSuggestions)
      .where(
        and(
          eq(guardianSuggestions.repositoryId, record.repositoryId),
          eq(guardianSuggestions.filePath, record.filePath),
        ),
      );
    const known = new Map(existing.map((row) => [row.fingerprint, row]));
    const found = new Set(record.findings.map((finding) => finding.fingerprint));
    if (record.findings.length > 0) {
      const excluded = (column: string) => sql.raw(`excluded."${column}"`);
      await transaction
        .insert(guardianSuggestions)
        .values(
          record.findings.map((finding) => ({
            ...finding,
            repositoryId: record.repositoryId,
            filePath: record.filePath,
            contentHash: record.contentHash,
            commit: record.commit,
            firstSeenAt: record.now,
            lastSeenAt: record.now,
            createdAt: record.now,
            updatedAt: record.now,
          })),
        )
        .onConflictDoUpdate({
          target: [guardianSuggestions.repositoryId, guardianSuggestions.fingerprint],
          set: {
            severity: excluded('severity'),
            confidence: excluded('confidence'),
            line: excluded('line'),
            column: excluded('column'),
            endLine: excluded('end_line'),
            endColumn: excluded('end_column'),
            message: excluded('message'),
            remediation: excluded('remediation'),
            codeSnippet: excluded('code_snippet'),
            fix: excluded('fix'),
            contentHash: excluded('content_hash'),
            commit: excluded('commit'),
            lastSeenAt: excluded('last_seen_at'),
            updatedAt: excluded('updated_at'),
            resolved: false,
            resolvedAt: null,
          },
        });
    }
    const gone = existing.filter((row) => !row.resolved && !found.has(row.fingerprint)).map((row) => row.fingerprint);
    if (gone.length > 0) {
      await transaction
        .update(guardianSuggestions)
        .set({ resolved: true, resolvedAt: record.now, updatedAt: record.now })
        .where(
          and(
            eq(guardianSuggestions.repositoryId, record.repositoryId),
            inArray(guardianSuggestions.fingerprint, gone),
          ),
        );
    }
    await transaction
      .insert(guardianFileScans)
      .values({
        repositoryId: record.repositoryId,
        filePath: record.filePath,
        contentHash: record.contentHash,
        rulesKey: record.rulesKey,
        commit: record.commit,
        findings: record.findings.length,
        scannedAt: record.now,
      })
      .onConflictDoUpdate({
        target: [guardianFileScans.repositoryId, guardianFileScans.filePath],
        set: {
          contentHash: record.contentHash,
          rulesKey: record.rulesKey,
          commit: record.commit,
          findings: record.findings.length,
          scannedAt: record.now,
        },
      });
    return { created: [...found].filter((fingerprint) => !known.has(fingerprint)).length, resolved: gone.length };
  });
}

/**
 * Files that were scanned before and are no longer in scope (deleted, or now ignored): their suggestions
 * are resolved and their scans forgotten. Answers how many suggestions were resolved.
 */
export async function forgetFiles(orm: Orm, repositoryId: string, filePaths: string[], now: Date): Promise<number> {
  if (filePaths.length === 0) return 0;
  return orm.transaction(async (transaction) => {
    let resolved = 0;
    // in chunks, to keep each statement's parameter list small
    for (let index = 0; index < filePaths.length; index += 500) {
      const chunk = filePaths.slice(index, index + 500);
      const rows = await transaction
        .update(guardianSuggestions)
        .set({ resolved: true, resolvedAt: now, updatedAt: now })
        .where(
          and(
            eq(guardianSuggestions.repositoryId, repositoryId),
            inArray(guardianSuggestions.filePath, chunk),
            eq(guardianSuggestions.resolved, false),
          ),
        )
        .returning({ id: guardianSuggestions.id });
      resolved += rows.length;
      await transaction
        .delete(guardianFileScans)
        .where(and(eq(guardianFileScans.repositoryId, repositoryId), inArray(guardianFileScans.filePath, chunk)));
    }
    return resolved;
  });
}

export interface SuggestionFilter {
  readonly severities?: readonly string[] | undefined;
  readonly statuses?: readonly SuggestionStatus[] | undefined;
  readonly repositoryId?: string | undefined;
  readonly ruleId?: string | undefined;
  readonly issueType?: string | undefined;
  readonly filePath?: string | undefined;
  readonly includeResolved?: boolean | undefined;
  readonly limit: number;
  readonly skip: number;
}

/** Newest first; resolved suggestions only when asked for. */
export async function listSuggestions(
  orm: Orm,
  filter: SuggestionFilter,
): Promise<{ rows: GuardianSuggestion[]; total: number }> {
  const conditions: SQL[] = [];
  if (filter.severities?.length) conditions.push(inArray(guardianSuggestions.severity, [...filter.severities]));
  if (filter.statuses?.length) conditions.push(inArray(guardianSuggestions.status, [...filter.statuses]));
  if (filter.repositoryId) conditions.push(eq(guardianSuggestions.repositoryId, filter.repositoryId));
  if (filter.ruleId) conditions.push(eq(guardianSuggestions.ruleId, filter.ruleId));
  if (filter.issueType) conditions.push(eq(guardianSuggestions.issueType, filter.issueType));
  if (filter.filePath) conditions.push(eq(guardianSuggestions.filePath, filter.filePath));
  if (!filter.includeResolved) conditions.push(eq(guardianSuggestions.resolved, false));
  const where = conditions.length ? and(...conditions) : undefined;
  const [rows, [total]] = await Promise.all([
    orm
      .select()
      .from(guardianSuggestions)
      .where(where)
      .orderBy(
        desc(guardianSuggestions.createdAt),
        asc(guardianSuggestions.filePath),
        asc(guardianSuggestions.line),
        asc(guardianSuggestions.id),
      )
      .limit(filter.limit)
      .offset(filter.skip),
    orm.select({ total: count() }).from(guardianSuggestions).where(where),
  ]);
  return { rows, total: total?.total ?? 0 };
}

export async function findSuggestion(orm: Orm, id: string): Promise<GuardianSuggestion | undefined> {
  const [row] = await orm.select().from(guardianSuggestions).where(eq(guardianSuggestions.id, id));
  return row;
}

/** Records a review of a pending suggestion; undefined when it is no longer pending (someone else was first). */
export async function reviewSuggestion(
  orm: Orm,
  id: string,
  review: {
    status: Exclude<SuggestionStatus, 'pending'>;
    reviewer: string;
    reason?: string | undefined;
    note?: string | undefined;
    proposalId?: string | undefined;
    now: Date;
  },
): Promise<GuardianSuggestion | undefined> {
  const [row] = await orm
    .update(guardianSuggestions)
    .set({
      status: review.status,
      reviewedBy: review.reviewer,
      reviewedAt: review.now,
      reviewReason: review.reason ?? null,
      reviewNote: review.note ?? null,
      ...(review.proposalId ? { proposalId: review.proposalId } : {}),
      updatedAt: review.now,
    })
    .where(and(eq(guardianSuggestions.id, id), eq(guardianSuggestions.status, 'pending')))
    .returning();
  return row;
}
