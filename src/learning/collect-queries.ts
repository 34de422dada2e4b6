import { and, eq, gte, sql, type SQL } from 'drizzle-orm';
import type { Orm } from '../db/database.js';
import { guardianSuggestions, learningEvents, sandboxExperiments } from '../db/schema.js';

export interface CollectedResults {
  /** the start of the window; null: everything stored */
  since: string | null;
  /** Sandbox verdicts stored in the window, by verdict (passed, fixed, regression, still-failing, error) */
  sandbox_verdicts: Record<string, number>;
  /** reviews in the window, by outcome (accepted, rejected) */
  verdicts: Record<string, number>;
  /** applies in the window, by outcome (applied, apply_failed) */
  applies: Record<string, number>;
  /** Guardian suggestions first seen in the window, by severity, and those resolved in it */
  guardian: { new_suggestions: Record<string, number>; resolved: number; pending_total: number };
  /** Sandbox experiments that finished in the window */
  experiments: { succeeded: number; failed: number };
}

const counts = (rows: readonly { key: string; count: number }[]) =>
  Object.fromEntries(rows.map((row) => [row.key, Number(row.count)]));

/**
 * The collection step of the learning cycle: what the other agents stored since the last cycle — Sandbox
 * verdicts, reviews and applies (learning events), Guardian's new and resolved suggestions, finished
 * experiments. Read-only; the numbers go into the learning task's result and the cycle's event.
 */
export async function collectResults(
  orm: Orm,
  window: { since?: Date | undefined; repositoryId?: string | undefined },
): Promise<CollectedResults> {
  const { since, repositoryId } = window;
  const eventsOf = async (kind: 'verdict' | 'test' | 'apply') => {
    const conditions: (SQL | undefined)[] = [
      eq(learningEvents.kind, kind),
      since ? gte(learningEvents.createdAt, since) : undefined,
      repositoryId ? eq(learningEvents.repositoryId, repositoryId) : undefined,
    ];
    const rows = await orm
      .select({ key: learningEvents.outcome, count: sql<number>`count(*)::int` })
      .from(learningEvents)
      .where(and(...conditions))
      .groupBy(learningEvents.outcome);
    return counts(rows);
  };
  const inRepository = repositoryId ? eq(guardianSuggestions.repositoryId, repositoryId) : undefined;
  const newSuggestions = await orm
    .select({ key: guardianSuggestions.severity, count: sql<number>`count(*)::int` })
    .from(guardianSuggestions)
    .where(and(inRepository, since ? gte(guardianSuggestions.firstSeenAt, since) : undefined))
    .groupBy(guardianSuggestions.severity);
  const [resolved] = await orm
    .select({ count: sql<number>`count(*)::int` })
    .from(guardianSuggestions)
    .where(
      and(
        inRepository,
        eq(guardianSuggestions.resolved, true),
        since ? gte(guardianSuggestions.resolvedAt, since) : undefined,
      ),
    );
  const [pending] = await orm
    .select({ count: sql<number>`count(*)::int` })
    .from(guardianSuggestions)
    .where(and(inRepository, eq(guardianSuggestions.status, 'pending'), eq(guardianSuggestions.resolved, false)));
  const experiments = counts(
    await orm
      .select({ key: sandboxExperiments.status, count: sql<number>`count(*)::int` })
      .from(sandboxExperiments)
      .where(
        and(
          repositoryId ? eq(sandboxExperiments.repositoryId, repositoryId) : undefined,
          since ? gte(sandboxExperiments.finishedAt, since) : undefined,
          sql`${sandboxExperiments.status} in ('succeeded', 'failed')`,
        ),
      )
      .groupBy(sandboxExperiments.status),
  );
  return {
    since: since?.toISOString() ?? null,
    sandbox_verdicts: await eventsOf('test'),
    verdicts: await eventsOf('verdict'),
    applies: await eventsOf('apply'),
    guardian: {
      new_suggestions: counts(newSuggestions),
      resolved: Number(resolved?.count ?? 0),
      pending_total: Number(pending?.count ?? 0),
    },
    experiments: { succeeded: experiments.succeeded ?? 0, failed: experiments.failed ?? 0 },
  };
}
