import { and, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { LanguageModelProviderName } from '../config/config.js';
import type { Orm } from '../db/database.js';
import { tokenUsage } from '../db/schema.js';

export type TokenUsageRow = typeof tokenUsage.$inferSelect;

/** One call, as the usage table keeps it. */
export interface UsageRecord {
  readonly agentType: string;
  readonly taskId: string | undefined;
  readonly provider: LanguageModelProviderName;
  readonly model: string;
  readonly purpose: string | undefined;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  readonly costEstimated: boolean;
  readonly cached: boolean;
  readonly outcome: 'ok' | 'error';
  readonly errorCode: string | undefined;
  readonly durationMs: number;
  readonly createdAt: Date;
}

export async function recordUsage(orm: Orm, record: UsageRecord): Promise<void> {
  await orm.insert(tokenUsage).values({
    agentType: record.agentType,
    taskId: record.taskId ?? null,
    provider: record.provider,
    model: record.model,
    purpose: record.purpose ?? null,
    inputTokens: record.inputTokens,
    outputTokens: record.outputTokens,
    costUsd: record.costUsd,
    costEstimated: record.costEstimated,
    cached: record.cached,
    outcome: record.outcome,
    errorCode: record.errorCode ?? null,
    durationMs: record.durationMs,
    createdAt: record.createdAt,
  });
}

/** Which rows a sum or summary covers: created in [from, to), optionally of one agent, provider, model. */
export interface UsageFilter {
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly agentType?: string | undefined;
  readonly provider?: string | undefined;
  readonly model?: string | undefined;
}

function conditions(filter: UsageFilter): SQL | undefined {
  return and(
    filter.from ? gte(tokenUsage.createdAt, filter.from) : undefined,
    filter.to ? lt(tokenUsage.createdAt, filter.to) : undefined,
    filter.agentType !== undefined ? eq(tokenUsage.agentType, filter.agentType) : undefined,
    filter.provider !== undefined ? eq(tokenUsage.provider, filter.provider) : undefined,
    filter.model !== undefined ? eq(tokenUsage.model, filter.model) : undefined,
  );
}

/** Tokens (input + output) spent by the rows the filter selects. */
export async function tokensUsed(orm: Orm, filter: UsageFilter): Promise<number> {
  const [row] = await orm
    .select({
      tokens: sql<string>`coalesce(sum(${tokenUsage.inputTokens} + ${tokenUsage.outputTokens}), 0)::bigint`,
    })
    .from(tokenUsage)
    .where(conditions(filter));
  return Number(row?.tokens ?? 0);
}

export interface UsageTotals {
  readonly calls: number;
  readonly cachedCalls: number;
  readonly errors: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  /** calls with tokens whose model has no known price (their cost counts as 0) */
  readonly unpricedCalls: number;
}

const totalsColumns = {
  calls: sql<string>`count(*)::bigint`,
  cachedCalls: sql<string>`count(*) filter (where ${tokenUsage.cached})::bigint`,
  errors: sql<string>`count(*) filter (where ${tokenUsage.outcome} = 'error')::bigint`,
  inputTokens: sql<string>`coalesce(sum(${tokenUsage.inputTokens}), 0)::bigint`,
  outputTokens: sql<string>`coalesce(sum(${tokenUsage.outputTokens}), 0)::bigint`,
  costUsd: sql<string>`coalesce(sum(${tokenUsage.costUsd}), 0)::float8`,
  unpricedCalls: sql<string>`count(*) filter (where not ${tokenUsage.costEstimated})::bigint`,
};

const readTotals = (row: Record<keyof typeof totalsColumns, string | number>): UsageTotals => ({
  calls: Number(row.calls),
  cachedCalls: Number(row.cachedCalls),
  errors: Number(row.errors),
  inputTokens: Number(row.inputTokens),
  outputTokens: Number(row.outputTokens),
  costUsd: Math.round(Number(row.costUsd) * 1e6) / 1e6,
  unpricedCalls: Number(row.unpricedCalls),
});

export type UsageGrouping = 'agent' | 'provider' | 'model' | 'day';

export interface UsageSummary {
  readonly totals: UsageTotals;
  readonly byAgent?: (UsageTotals & { agentType: string })[];
  readonly byProvider?: (UsageTotals & { provider: string })[];
  readonly byModel?: (UsageTotals & { provider: string; model: string })[];
  /** UTC days, `YYYY-MM-DD` */
  readonly byDay?: (UsageTotals & { day: string })[];
}

/** Totals of the selected rows, and their breakdown by each grouping asked for (most tokens first; days in order). */
export async function summarizeUsage(
  orm: Orm,
  filter: UsageFilter,
  groupings: readonly UsageGrouping[],
): Promise<UsageSummary> {
  const where = conditions(filter);
  const [totalsRow] = await orm.select(totalsColumns).from(tokenUsage).where(where);
  const tokens = sql`sum(${tokenUsage.inputTokens} + ${tokenUsage.outputTokens}) desc`;
  const summary: {
    -readonly [Key in keyof UsageSummary]: UsageSummary[Key];
  } = { totals: readTotals(totalsRow!) };
  if (groupings.includes('agent')) {
    const rows = await orm
      .select({ agentType: tokenUsage.agentType, ...totalsColumns })
      .from(tokenUsage)
      .where(where)
      .groupBy(tokenUsage.agentType)
      .orderBy(tokens, tokenUsage.agentType);
    summary.byAgent = rows.map((row) => ({ agentType: row.agentType, ...readTotals(row) }));
  }
  if (groupings.includes('provider')) {
    const rows = await orm
      .select({ provider: tokenUsage.provider, ...totalsColumns })
      .from(tokenUsage)
      .where(where)
      .groupBy(tokenUsage.provider)
      .orderBy(tokens, tokenUsage.provider);
    summary.byProvider = rows.map((row) => ({ provider: row.provider, ...readTotals(row) }));
  }
  if (groupings.includes('model')) {
    const rows = await orm
      .select({ provider: tokenUsage.provider, model: tokenUsage.model, ...totalsColumns })
      .from(tokenUsage)
      .where(where)
      .groupBy(tokenUsage.provider, tokenUsage.model)
      .orderBy(tokens, tokenUsage.provider, tokenUsage.model);
    summary.byModel = rows.map((row) => ({ provider: row.provider, model: row.model, ...readTotals(row) }));
  }
  if (groupings.includes('day')) {
    const day = sql<string>`to_char(${tokenUsage.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
    const rows = await orm
      .select({ day, ...totalsColumns })
      .from(tokenUsage)
      .where(where)
      .groupBy(day)
      .orderBy(day);
    summary.byDay = rows.map((row) => ({ day: row.day, ...readTotals(row) }));
  }
  return summary;
}

/** The agent types that have usage rows the filter selects. */
export async function agentTypesUsed(orm: Orm, filter: UsageFilter): Promise<string[]> {
  const rows = await orm
    .selectDistinct({ agentType: tokenUsage.agentType })
    .from(tokenUsage)
    .where(conditions(filter))
    .orderBy(tokenUsage.agentType);
  return rows.map((row) => row.agentType);
}
