import { and, asc, gt, gte, inArray, lt } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { events } from '../db/schema.js';
import type { DomainEvent, EventInput } from './bus.js';

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

/** Stored events after `afterId` on the given topics recorded since `since`, oldest first, at most `limit`. */
export async function readEventsAfter(
  orm: Orm,
  options: { afterId: number; topics: readonly string[]; since: Date; limit: number },
): Promise<DomainEvent[]> {
  if (options.topics.length === 0) return [];
  const rows = await orm
    .select()
    .from(events)
    .where(
      and(
        gt(events.id, options.afterId),
        inArray(events.topic, [...options.topics]),
        gte(events.createdAt, options.since),
      ),
    )
    .orderBy(asc(events.id))
    .limit(options.limit);
  return rows.map(toDomainEvent);
}

/** Deletes the events recorded before `before`; returns how many went. */
export async function pruneEvents(orm: Orm, before: Date): Promise<number> {
  const removed = await orm.delete(events).where(lt(events.createdAt, before)).returning({ id: events.id });
  return removed.length;
}
