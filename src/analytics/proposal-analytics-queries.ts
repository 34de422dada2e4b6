import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Orm } from '../db/database.js';
import { OPEN_STATUSES, PROPOSAL_STATUSES, type ProposalStatus } from '../proposals/states.js';
import { presentWindow, type TimeWindow, windowSchema } from './window.js';
import { inWindow, ratio, roundSeconds, selectRows } from './window-queries.js';

export const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** The longest series a request with both bounds may ask for. */
export const MAX_BUCKETS = 3660;

/** Proposals that still wait for a reviewer (OPEN_STATUSES without `accepted`, which waits for an apply). */
export const AWAITING_REVIEW_STATUSES: readonly ProposalStatus[] = ['pending', 'testing', 'test-passed', 'test-failed'];

/** Sandbox verdicts stored in proposals.test_results.verdict, and `untested` for proposals without one. */
export const TEST_VERDICTS = ['passed', 'fixed', 'regression', 'still-failing', 'error', 'untested'] as const;

export interface ProposalFilter {
  readonly window: TimeWindow;
  readonly aiType?: string | undefined;
  readonly repositoryId?: string | undefined;
}

const count = z.number().int();

export const reviewTimeSchema = z
  .object({
    n: count.describe('reviewed proposals the statistics are computed over'),
    mean_seconds: z.number().nullable(),
    median_seconds: z.number().nullable().describe('continuous median (the mean of the middle two when n is even)'),
    p90_seconds: z.number().nullable().describe('continuous 90th percentile (linear interpolation)'),
    min_seconds: z.number().nullable(),
    max_seconds: z.number().nullable(),
  })
  .describe("Seconds from a proposal's created_at to its verdict (accept or reject); every value is null when n is 0")
  .meta({ id: 'ReviewTime' });

const verdictFields = {
  created: count.describe('proposals created in the window'),
  awaiting_review: count.describe('of those, now pending, testing, test-passed or test-failed'),
  open: count.describe('of those, now in an open state (awaiting review, or accepted and not yet applied)'),
  reviewed: count.describe('of those, accepted or rejected by a reviewer or auto-apply (at any time)'),
  accepted: count.describe('of those reviewed, accepted (whatever happened next: applied, apply-failed, expired)'),
  rejected: count,
  applied: count.describe('of those, now applied'),
  apply_failed: count.describe('of those, now apply-failed'),
  acceptance_rate: z.number().nullable().describe('accepted / reviewed, 4 decimals; null when reviewed is 0'),
  time_to_review: reviewTimeSchema,
};

export const proposalTotalsSchema = z.object(verdictFields).meta({ id: 'ProposalAnalyticsTotals' });

const statusCounts = z
  .object(
    Object.fromEntries(PROPOSAL_STATUSES.map((status) => [status, count])) as Record<ProposalStatus, typeof count>,
  )
  .describe('proposals created in the window, by their current status (every status, 0 when none)')
  .meta({ id: 'ProposalStatusCounts' });

export const proposalStatusCountsSchema = statusCounts;

const bucketSchema = z
  .object({
    date: z.string().describe('the first day of the bucket (UTC), YYYY-MM-DD'),
    created: count.describe('proposals created in the bucket'),
    accepted: count.describe('verdicts `accepted` given in the bucket'),
    rejected: count.describe('verdicts `rejected` given in the bucket'),
    applied: count.describe('proposals applied in the bucket'),
    acceptance_rate: z.number().nullable().describe('accepted / (accepted + rejected) of the bucket; null when 0'),
  })
  .meta({ id: 'ProposalAnalyticsBucket' });

export const proposalAnalyticsSchema = z
  .object({
    window: windowSchema,
    filters: z.object({ ai_type: z.string().nullable(), repository_id: z.string().nullable() }),
    granularity: z.enum(GRANULARITIES),
    total_proposals: count.describe('proposals created in the window (= totals.created)'),
    totals: proposalTotalsSchema,
    by_status: statusCounts,
    by_agent: z
      .array(z.object({ ai_type: z.string(), ...verdictFields }))
      .describe('the same figures per agent type (ai_type), for agents with proposals in the window'),
    by_day: z
      .array(bucketSchema)
      .describe(
        'activity per bucket of `granularity`, each event on its own date: creations by created_at, verdicts by ' +
          'their time, applies by the time of the transition to applied. Buckets without activity are 0; the ' +
          'series covers the whole window when both from and to are given, otherwise the first to the last active ' +
          'bucket.',
      ),
    test_verdicts: z
      .record(z.string(), count)
      .describe(
        "proposals created in the window by Sandbox's verdict (test_results.verdict); `untested` when there is none",
      ),
  })
  .meta({ id: 'ProposalAnalytics' });

export type ProposalAnalytics = z.infer<typeof proposalAnalyticsSchema>;
export type ProposalTotals = z.infer<typeof proposalTotalsSchema>;

const statusList = (statuses: readonly string[]) =>
  sql.join(
    statuses.map((status) => sql`${status}`),
    sql`, `,
  );

/** Conditions on proposals `p` from the filter's agent type and repository. */
function proposalConditions(filter: ProposalFilter): SQL {
  const conditions: SQL[] = [sql`true`];
  if (filter.aiType !== undefined) conditions.push(sql`p.ai_type = ${filter.aiType}`);
  if (filter.repositoryId !== undefined) conditions.push(sql`p.repository_id = ${filter.repositoryId}::uuid`);
  return sql.join(conditions, sql` and `);
}

/**
 * `verdicts`: each proposal's verdict (its first transition to accepted or rejected; the state machine
 * allows only one) and when it was given: the proposal's reviewed_at, written with the verdict by the same
 * clock as created_at, or the transition's time for a verdict stored without one.
 */
export const verdictsCte = (conditions: SQL) => sql`verdicts as (
  select distinct on (t.proposal_id) t.proposal_id, p.ai_type, t.to_status as verdict,
    coalesce(p.reviewed_at, t.at) as at
  from proposal_transitions t join proposals p on p.id = t.proposal_id
  where t.to_status in ('accepted', 'rejected') and ${conditions}
  order by t.proposal_id, t.id
)`;

/** `scope`: the proposals created in the window that match the filter, with their verdict and review time. */
const scopeCte = (filter: ProposalFilter) => {
  const conditions = proposalConditions(filter);
  return sql`${verdictsCte(conditions)},
scope as (
  select p.id, p.ai_type, p.status, p.test_results->>'verdict' as test_verdict, v.verdict,
    -- greatest() would turn the null of an unreviewed proposal into 0
    case when v.at is null then null else greatest(extract(epoch from (v.at - p.created_at)), 0)::float8 end
      as review_seconds
  from proposals p left join verdicts v on v.proposal_id = p.id
  where ${inWindow(sql`p.created_at`, filter.window)} and ${conditions}
)`;
};

interface TotalsRow {
  ai_type: string | null;
  is_total: number;
  created: number;
  awaiting_review: number;
  open: number;
  reviewed: number;
  accepted: number;
  rejected: number;
  applied: number;
  apply_failed: number;
  acceptance_rate: number | null;
  review_n: number;
  review_mean: number | null;
  review_median: number | null;
  review_p90: number | null;
  review_min: number | null;
  review_max: number | null;
}

const num = (value: number | string | null) => (value === null ? null : Number(value));

function presentTotals(row: TotalsRow | undefined): ProposalTotals {
  return {
    created: row?.created ?? 0,
    awaiting_review: row?.awaiting_review ?? 0,
    open: row?.open ?? 0,
    reviewed: row?.reviewed ?? 0,
    accepted: row?.accepted ?? 0,
    rejected: row?.rejected ?? 0,
    applied: row?.applied ?? 0,
    apply_failed: row?.apply_failed ?? 0,
    acceptance_rate: num(row?.acceptance_rate ?? null),
    time_to_review: {
      n: row?.review_n ?? 0,
      mean_seconds: num(row?.review_mean ?? null),
      median_seconds: num(row?.review_median ?? null),
      p90_seconds: num(row?.review_p90 ?? null),
      min_seconds: num(row?.review_min ?? null),
      max_seconds: num(row?.review_max ?? null),
    },
  };
}

/** Totals over the proposals in scope, overall and per agent type, in one pass (grouping sets). */
async function totals(orm: Orm, filter: ProposalFilter) {
  const rows = await selectRows<TotalsRow>(
    orm,
    sql`with ${scopeCte(filter)}
select case when grouping(ai_type) = 1 then null else ai_type end as ai_type,
  grouping(ai_type)::int as is_total,
  count(*)::int as created,
  (count(*) filter (where status in (${statusList(AWAITING_REVIEW_STATUSES)})))::int as awaiting_review,
  (count(*) filter (where status in (${statusList(OPEN_STATUSES)})))::int as open,
  count(verdict)::int as reviewed,
  (count(*) filter (where verdict = 'accepted'))::int as accepted,
  (count(*) filter (where verdict = 'rejected'))::int as rejected,
  (count(*) filter (where status = 'applied'))::int as applied,
  (count(*) filter (where status = 'apply-failed'))::int as apply_failed,
  ${ratio(sql`count(*) filter (where verdict = 'accepted')`, sql`count(verdict)`)} as acceptance_rate,
  count(review_seconds)::int as review_n,
  ${roundSeconds(sql`avg(review_seconds)`)} as review_mean,
  ${roundSeconds(sql`percentile_cont(0.5) within group (order by review_seconds)`)} as review_median,
  ${roundSeconds(sql`percentile_cont(0.9) within group (order by review_seconds)`)} as review_p90,
  ${roundSeconds(sql`min(review_seconds)`)} as review_min,
  ${roundSeconds(sql`max(review_seconds)`)} as review_max
from scope
group by grouping sets ((ai_type), ())
order by grouping(ai_type), ai_type`,
  );
  return {
    overall: presentTotals(rows.find((row) => row.is_total === 1)),
    byAgent: rows.filter((row) => row.is_total === 0).map((row) => ({ ai_type: row.ai_type!, ...presentTotals(row) })),
  };
}

async function statusCountsOf(orm: Orm, filter: ProposalFilter) {
  const rows = await selectRows<{ status: string; count: number }>(
    orm,
    sql`with ${scopeCte(filter)} select status, count(*)::int as count from scope group by status`,
  );
  const counts = Object.fromEntries(PROPOSAL_STATUSES.map((status) => [status, 0])) as Record<ProposalStatus, number>;
  for (const row of rows) if (row.status in counts) counts[row.status as ProposalStatus] = row.count;
  return counts;
}

async function testVerdicts(orm: Orm, filter: ProposalFilter) {
  const rows = await selectRows<{ verdict: string; count: number }>(
    orm,
    sql`with ${scopeCte(filter)}
select coalesce(test_verdict, 'untested') as verdict, count(*)::int as count from scope group by 1 order by 1`,
  );
  const counts: Record<string, number> = Object.fromEntries(TEST_VERDICTS.map((verdict) => [verdict, 0]));
  for (const row of rows) counts[row.verdict] = row.count;
  return counts;
}

const UNIT: Record<Granularity, SQL> = {
  day: sql.raw(`'day'`),
  week: sql.raw(`'week'`),
  month: sql.raw(`'month'`),
};
const STEP: Record<Granularity, SQL> = {
  day: sql.raw(`interval '1 day'`),
  week: sql.raw(`interval '1 week'`),
  month: sql.raw(`interval '1 month'`),
};

/** How many buckets a window with both bounds spans (an upper estimate for months). */
export function bucketCount(window: TimeWindow, granularity: Granularity): number | undefined {
  if (!window.from || !window.to) return undefined;
  const days = (window.to.getTime() - window.from.getTime()) / 86_400_000;
  const perBucket = { day: 1, week: 7, month: 28 }[granularity];
  return Math.ceil(days / perBucket) + 1;
}

async function series(orm: Orm, filter: ProposalFilter, granularity: Granularity) {
  const conditions = proposalConditions(filter);
  const { window } = filter;
  const unit = UNIT[granularity];
  const bucketOf = (instant: SQL) => sql`date_trunc(${unit}, ${instant} at time zone 'UTC')`;
  // With both bounds the whole window is shown; otherwise the series spans the active buckets.
  const whole = window.from !== undefined && window.to !== undefined;
  const first = whole ? bucketOf(sql`${window.from.toISOString()}::timestamptz`) : sql`min(bucket)`;
  const last = whole
    ? bucketOf(sql`(${window.to.toISOString()}::timestamptz - interval '1 microsecond')`)
    : sql`max(bucket)`;
  return selectRows<{
    date: string;
    created: number;
    accepted: number;
    rejected: number;
    applied: number;
    acceptance_rate: number | null;
  }>(
    orm,
    sql`with ${verdictsCte(conditions)},
activity as (
  select p.created_at as at, 'created' as kind from proposals p
    where ${inWindow(sql`p.created_at`, window)} and ${conditions}
  union all
  select v.at, v.verdict from verdicts v where ${inWindow(sql`v.at`, window)}
  union all
  select t.at, 'applied' from proposal_transitions t join proposals p on p.id = t.proposal_id
    where t.to_status = 'applied' and ${inWindow(sql`t.at`, window)} and ${conditions}
),
bucketed as (select ${bucketOf(sql`at`)} as bucket, kind from activity),
bounds as (select ${first} as first, ${last} as last ${whole ? sql`` : sql`from bucketed`}),
buckets as (select generate_series(first, last, ${STEP[granularity]}) as bucket from bounds)
select to_char(b.bucket, 'YYYY-MM-DD') as date,
  (count(a.kind) filter (where a.kind = 'created'))::int as created,
  (count(a.kind) filter (where a.kind = 'accepted'))::int as accepted,
  (count(a.kind) filter (where a.kind = 'rejected'))::int as rejected,
  (count(a.kind) filter (where a.kind = 'applied'))::int as applied,
  ${ratio(sql`count(a.kind) filter (where a.kind = 'accepted')`, sql`count(a.kind) filter (where a.kind in ('accepted', 'rejected'))`)} as acceptance_rate
from buckets b left join bucketed a on a.bucket = b.bucket
group by b.bucket
order by b.bucket`,
  );
}

/** The totals and status counts of the proposals in scope (the overview shows these too). */
export async function proposalSummary(orm: Orm, filter: ProposalFilter) {
  const [{ overall, byAgent }, byStatus] = await Promise.all([totals(orm, filter), statusCountsOf(orm, filter)]);
  return { overall, byAgent, byStatus };
}

/** GET /analytics/proposals: every figure computed by the database from stored proposals and transitions. */
export async function proposalAnalytics(
  orm: Orm,
  filter: ProposalFilter,
  granularity: Granularity,
): Promise<ProposalAnalytics> {
  const [summary, buckets, verdicts] = await Promise.all([
    proposalSummary(orm, filter),
    series(orm, filter, granularity),
    testVerdicts(orm, filter),
  ]);
  return {
    window: presentWindow(filter.window),
    filters: { ai_type: filter.aiType ?? null, repository_id: filter.repositoryId ?? null },
    granularity,
    total_proposals: summary.overall.created,
    totals: summary.overall,
    by_status: summary.byStatus,
    by_agent: summary.byAgent,
    by_day: buckets.map((bucket) => ({ ...bucket, acceptance_rate: num(bucket.acceptance_rate) })),
    test_verdicts: verdicts,
  };
}
