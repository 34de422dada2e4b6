import { and, count, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { auditLog } from '../db/schema.js';
import { toStorableJson, toStorableText } from '../db/storable-text.js';

export type AuditEntry = typeof auditLog.$inferInsert;
export type AuditRecord = typeof auditLog.$inferSelect;

/**
 * Writes one entry. The strings come from requests (a path parameter, a label), including the ones refused
 * for holding characters PostgreSQL cannot store; those are written with U+FFFD in their place, so the
 * record of a refused request is never lost.
 */
export async function recordAudit(orm: Orm, entry: AuditEntry): Promise<void> {
  const text = (value: string | null | undefined) => (typeof value === 'string' ? toStorableText(value) : value);
  await orm.insert(auditLog).values({
    ...entry,
    actorId: text(entry.actorId),
    actorLabel: text(entry.actorLabel),
    action: toStorableText(entry.action),
    target: text(entry.target),
    requestId: text(entry.requestId),
    ip: text(entry.ip),
    details: entry.details ? (toStorableJson(entry.details) as Record<string, unknown>) : entry.details,
  });
}

export interface AuditFilter {
  actorId?: string | undefined;
  actorType?: AuditRecord['actorType'] | undefined;
  action?: string | undefined;
  target?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  limit: number;
  skip: number;
}

export async function listAudit(orm: Orm, filter: AuditFilter) {
  const conditions: SQL[] = [];
  if (filter.actorId) conditions.push(eq(auditLog.actorId, filter.actorId));
  if (filter.actorType) conditions.push(eq(auditLog.actorType, filter.actorType));
  if (filter.action) conditions.push(eq(auditLog.action, filter.action));
  if (filter.target) conditions.push(eq(auditLog.target, filter.target));
  if (filter.since) conditions.push(gte(auditLog.at, filter.since));
  if (filter.until) conditions.push(lte(auditLog.at, filter.until));
  const where = conditions.length ? and(...conditions) : undefined;
  const [rows, [total]] = await Promise.all([
    orm.select().from(auditLog).where(where).orderBy(desc(auditLog.id)).limit(filter.limit).offset(filter.skip),
    orm.select({ total: count() }).from(auditLog).where(where),
  ]);
  return { rows, total: total?.total ?? 0 };
}
