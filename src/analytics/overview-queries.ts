import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { SEVERITIES } from '../analysis/guardian/finding.js';
import type { Orm } from '../db/database.js';
import { proposalStatusCountsSchema, proposalSummary, proposalTotalsSchema } from './proposal-analytics-queries.js';
import { presentWindow, type TimeWindow, windowSchema } from './window.js';
import { inWindow, selectRows } from './window-queries.js';

export const TASK_STATUSES = ['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'] as const;

const count = z.number().int();

const taskStatusCounts = z.object(
  Object.fromEntries(TASK_STATUSES.map((status) => [status, count])) as Record<
    (typeof TASK_STATUSES)[number],
    typeof count
  >,
);

const severityCounts = z.object(
  Object.fromEntries(SEVERITIES.map((severity) => [severity, count])) as Record<
    (typeof SEVERITIES)[number],
    typeof count
  >,
);

export const overviewSchema = z
  .object({
    window: windowSchema,
    generated_at: z.string().describe("the server's clock when the figures were read"),
    repositories: z.object({ total: count.describe('registered repositories (now)') }),
    proposals: proposalTotalsSchema
      .extend({
        total_proposals: count.describe('proposals created in the window (= created)'),
        by_status: proposalStatusCountsSchema,
      })
      .describe('proposals created in the window, as in GET /analytics/proposals'),
    tasks: z
      .object({
        total: count.describe('tasks created in the window'),
        by_status: taskStatusCounts.describe('their current status'),
        dead_letters: count.describe('of those, failed for good and not retried since'),
      })
      .describe('agent runs created in the window'),
    agents: z
      .array(
        z.object({
          agent_id: z.uuid(),
          agent_type: z.string(),
          name: z.string(),
          status: z.enum(['idle', 'running', 'paused', 'error']).describe('stored status (now)'),
          xp: count.nullable().describe("from the agent type's progress; null before its first learning event"),
          level: count.nullable(),
          learning_score: z.number().nullable().describe('share accepted of the last 20 verdicts; null without any'),
        }),
      )
      .describe('every registered agent, by name'),
    guardian: z.object({
      open_suggestions: count.describe('suggestions pending review whose finding is still present (now)'),
      by_severity: severityCounts,
    }),
    sandbox: z
      .object({
        runs: count,
        passed: count,
        failed: count,
        error: count.describe('runs that could not run the checks'),
        proposal_runs: count,
        baseline_runs: count.describe("runs on a base commit, shared by that commit's proposals"),
      })
      .describe('sandbox runs finished in the window'),
    llm: z
      .object({
        calls: count,
        cached_calls: count.describe('answered from the response cache, spending no tokens'),
        errors: count,
        input_tokens: count,
        output_tokens: count,
        total_tokens: count,
        cost_usd: z.number().describe('sum of the estimated costs stored with each call, 6 decimals'),
        cost_estimated: z.boolean().describe('false when some call used a model without a known price'),
      })
      .describe('language model calls recorded in the window (token_usage)'),
  })
  .meta({ id: 'AnalyticsOverview' });

export type Overview = z.infer<typeof overviewSchema>;

/** GET /analytics/overview: the state of the system and what happened in the window, all read from stored rows. */
export async function analyticsOverview(orm: Orm, window: TimeWindow, now: Date): Promise<Overview> {
  const [summary, [repositoryRow], taskRows, agentRows, severityRows, [sandboxRow], [llmRow]] = await Promise.all([
    proposalSummary(orm, { window }),
    selectRows<{ total: number }>(orm, sql`select count(*)::int as total from repositories`),
    selectRows<{ status: string; count: number; dead_letters: number }>(
      orm,
      sql`select status, count(*)::int as count, (count(*) filter (where dead_letter))::int as dead_letters
from tasks where ${inWindow(sql`created_at`, window)} group by status`,
    ),
    selectRows<{
      agent_id: string;
      agent_type: string;
      name: string;
      status: 'idle' | 'running' | 'paused' | 'error';
      xp: number | null;
      level: number | null;
      learning_score: number | null;
    }>(
      orm,
      sql`select a.id as agent_id, a.type as agent_type, a.name, a.status, ap.xp, ap.level,
  (select round(avg(value::numeric), 4)::float8 from jsonb_array_elements_text(ap.recent_verdicts) as value)
    as learning_score
from agents a left join agent_progress ap on ap.agent_type = a.type
order by a.name`,
    ),
    selectRows<{ severity: string; count: number }>(
      orm,
      sql`select severity, count(*)::int as count from guardian_suggestions
where status = 'pending' and not resolved group by severity`,
    ),
    selectRows<{
      runs: number;
      passed: number;
      failed: number;
      error: number;
      proposal_runs: number;
      baseline_runs: number;
    }>(
      orm,
      sql`select count(*)::int as runs,
  (count(*) filter (where status = 'passed'))::int as passed,
  (count(*) filter (where status = 'failed'))::int as failed,
  (count(*) filter (where status = 'error'))::int as error,
  (count(*) filter (where kind = 'proposal'))::int as proposal_runs,
  (count(*) filter (where kind = 'baseline'))::int as baseline_runs
from sandbox_runs where ${inWindow(sql`finished_at`, window)}`,
    ),
    selectRows<{
      calls: number;
      cached_calls: number;
      errors: number;
      input_tokens: number | string;
      output_tokens: number | string;
      total_tokens: number | string;
      cost_usd: number | string;
      cost_estimated: boolean;
    }>(
      orm,
      sql`select count(*)::int as calls,
  (count(*) filter (where cached))::int as cached_calls,
  (count(*) filter (where outcome = 'error'))::int as errors,
  coalesce(sum(input_tokens), 0)::float8 as input_tokens,
  coalesce(sum(output_tokens), 0)::float8 as output_tokens,
  coalesce(sum(input_tokens + output_tokens), 0)::float8 as total_tokens,
  round(coalesce(sum(cost_usd), 0)::numeric, 6)::float8 as cost_usd,
  coalesce(bool_and(cost_estimated), true) as cost_estimated
from token_usage where ${inWindow(sql`created_at`, window)}`,
    ),
  ]);
  const taskCounts = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<
    (typeof TASK_STATUSES)[number],
    number
  >;
  for (const row of taskRows)
    if (row.status in taskCounts) taskCounts[row.status as keyof typeof taskCounts] = row.count;
  const bySeverity = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<
    (typeof SEVERITIES)[number],
    number
  >;
  for (const row of severityRows) {
    if (row.severity in bySeverity) bySeverity[row.severity as keyof typeof bySeverity] = row.count;
  }
  return {
    window: presentWindow(window),
    generated_at: now.toISOString(),
    repositories: { total: repositoryRow?.total ?? 0 },
    proposals: { total_proposals: summary.overall.created, ...summary.overall, by_status: summary.byStatus },
    tasks: {
      total: taskRows.reduce((sum, row) => sum + row.count, 0),
      by_status: taskCounts,
      dead_letters: taskRows.reduce((sum, row) => sum + row.dead_letters, 0),
    },
    agents: agentRows.map((row) => ({
      ...row,
      learning_score: row.learning_score === null ? null : Number(row.learning_score),
    })),
    guardian: {
      open_suggestions: severityRows.reduce((sum, row) => sum + row.count, 0),
      by_severity: bySeverity,
    },
    sandbox: {
      runs: sandboxRow?.runs ?? 0,
      passed: sandboxRow?.passed ?? 0,
      failed: sandboxRow?.failed ?? 0,
      error: sandboxRow?.error ?? 0,
      proposal_runs: sandboxRow?.proposal_runs ?? 0,
      baseline_runs: sandboxRow?.baseline_runs ?? 0,
    },
    llm: {
      calls: llmRow?.calls ?? 0,
      cached_calls: llmRow?.cached_calls ?? 0,
      errors: llmRow?.errors ?? 0,
      input_tokens: Number(llmRow?.input_tokens ?? 0),
      output_tokens: Number(llmRow?.output_tokens ?? 0),
      total_tokens: Number(llmRow?.total_tokens ?? 0),
      cost_usd: Number(llmRow?.cost_usd ?? 0),
      cost_estimated: llmRow?.cost_estimated ?? true,
    },
  };
}
