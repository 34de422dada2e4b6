import { and, asc, eq, gt, gte, inArray, like, lt, or, type SQL } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { events } from '../db/schema.js';
import type { DomainEvent, EventInput } from './bus.js';
import { topicSelection } from './topics.js';

type StoredEvent = typeof events.$inferSelect;

const toDomainEvent = (row: StoredEvent): DomainEvent => ({
  id: String(row.id),
  type: row.type,
  topic: row.topic,
  data: row.data,
  timestamp: row.createdAt.toISOString(),
});

export async function recordEvent(orm: Orm, input: EventInput, at: Date): Promise<DomainEvent> {
  const [row] = await orm
    .insert(events)
    .values({ type: input.type, topic: input.topic, data: input.data, createdAt: at })
    .returning();
  return toDomainEvent(row!);
}

/** One stored event by id, if it is still kept. */
export async function readEvent(orm: Orm, id: string): Promise<DomainEvent | undefined> {
  const [row] = await orm
    .select()
    .from(events)
    .where(eq(events.id, Number(id)));
  return row ? toDomainEvent(row) : undefined;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);

/**
 * Stored events after `afterId` on the given subscriptions (canonical topics, wildcards such as `tasks`
 * included) recorded since `since`, oldest first, at most `limit`. Exact topics are an `in` list, which
 * the (topic, id) index serves; a wildcard is a prefix `like`, under which PostgreSQL walks the primary
 * key from `afterId` in id order and filters, which suits it: task events are most of the log.
 */
export async function readEventsAfter(
  orm: Orm,
  options: { afterId: number; topics: readonly string[]; since: Date; limit: number },
): Promise<DomainEvent[]> {
  const { exact, prefixes } = topicSelection(options.topics);
  const matches: SQL[] = [
    ...(exact.length > 0 ? [inArray(events.topic, exact)] : []),
    ...prefixes.map((prefix) => like(events.topic, `${escapeLike(prefix)}%`)),
  ];
  if (matches.length === 0) return [];
  const rows = await orm
    .select()
    .from(events)
    .where(and(gt(events.id, options.afterId), or(...matches), gte(events.createdAt, options.since)))
    .orderBy(asc(events.id))
    .limit(options.limit);
  return rows.map(toDomainEvent);
}

/** Deletes the events recorded before `before`; returns how many went. */
export async function pruneEvents(orm: Orm, before: Date): Promise<number> {
  const removed = await orm.delete(events).where(lt(events.createdAt, before)).returning({ id: events.id });
  return removed.length;
}
