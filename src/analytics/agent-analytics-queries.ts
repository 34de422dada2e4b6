import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Orm } from '../db/database.js';
import { verdictsCte } from './proposal-analytics-queries.js';
import { presentWindow, type TimeWindow, windowSchema } from './window.js';
import { inWindow, isoText, ratio, selectRows } from './window-queries.js';

const count = z.number().int();

export const agentAnalyticsEntrySchema = z
  .object({
    agent_type: z.string(),
    agent_id: z
      .uuid()
      .nullable()
      .describe('the agent of this type (the one named like the type, if several); null when none is registered'),
    status: z.enum(['idle', 'running', 'paused', 'error']).nullable().describe("that agent's stored status (now)"),
    agents: count.describe('registered agents of this type'),
    runs: count.describe('tasks finished in the window (succeeded, failed or cancelled), by finished_at'),
    succeeded: count,
    failed: count,
    cancelled: count,
    success_rate: z.number().nullable().describe('succeeded / (succeeded + failed), 4 decimals; null when both are 0'),
    duration: z
      .object({
        n: count.describe('finished tasks that started (their last attempt, started_at to finished_at)'),
        mean_ms: z.number().nullable(),
        median_ms: z.number().nullable().describe('continuous median'),
        max_ms: z.number().nullable(),
      })
      .describe('null values when n is 0'),
    last_run: z
      .object({ task_id: z.uuid(), status: z.enum(['succeeded', 'failed', 'cancelled']), finished_at: z.string() })
      .nullable()
      .describe('the most recently finished task in the window'),
    proposals_created: count.describe('proposals with this ai_type created in the window'),
    proposals_accepted: count.describe('verdicts `accepted` on its proposals given in the window'),
    proposals_rejected: count.describe('verdicts `rejected` given in the window'),
    proposals_applied: count.describe('its proposals applied in the window'),
    acceptance_rate: z
      .number()
      .nullable()
      .describe('proposals_accepted / (proposals_accepted + proposals_rejected), 4 decimals; null when both are 0'),
    xp: count.nullable().describe('from agent_progress (all time); null before its first learning event'),
    level: count.nullable(),
    learning_score: z
      .number()
      .nullable()
      .describe('share accepted of its last 20 verdicts (agent_progress.recent_verdicts); null without any'),
    llm_calls: count.describe('language model calls made for this agent type in the window'),
    llm_tokens: count.describe('their input plus output tokens'),
    llm_cost_usd: z.number().describe('their estimated cost, 6 decimals'),
  })
  .meta({ id: 'AgentAnalytics' });

export const agentAnalyticsSchema = z
  .object({
    window: windowSchema,
    agents: z
      .array(agentAnalyticsEntrySchema)
      .describe('one entry per agent type that has an agent, tasks, proposals, progress or LLM calls, by type'),
  })
  .meta({ id: 'AgentAnalyticsList' });

export type AgentAnalytics = z.infer<typeof agentAnalyticsSchema>;

interface Row {
  agent_type: string;
  agent_id: string | null;
  status: 'idle' | 'running' | 'paused' | 'error' | null;
  agents: number;
  runs: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  success_rate: number | null;
  duration_n: number;
  duration_mean: number | null;
  duration_median: number | null;
  duration_max: number | null;
  last_task_id: string | null;
  last_status: 'succeeded' | 'failed' | 'cancelled' | null;
  last_finished_at: string | null;
  proposals_created: number;
  proposals_accepted: number;
  proposals_rejected: number;
  proposals_applied: number;
  acceptance_rate: number | null;
  xp: number | null;
  level: number | null;
  learning_score: number | null;
  llm_calls: number;
  llm_tokens: number | string;
  llm_cost_usd: number | string;
}

const num = (value: number | string | null) => (value === null ? null : Number(value));

/**
 * GET /analytics/agents: per agent type, its runs, their durations, its proposals and their verdicts, its
 * progress and its LLM use, computed by the database in one statement from the stored rows.
 */
export async function agentAnalytics(orm: Orm, window: TimeWindow, agentType?: string): Promise<AgentAnalytics> {
  const only = (column: SQL) => (agentType === undefined ? sql`true` : sql`${column} = ${agentType}`);
  const milliseconds = (value: SQL) => sql`round((${value})::numeric, 3)::float8`;
  const rows = await selectRows<Row>(
    orm,
    sql`with ${verdictsCte(only(sql`p.ai_type`))},
types as (
  select type as agent_type from agents where ${only(sql`type`)}
  union select agent_type from tasks where ${only(sql`agent_type`)}
  union select ai_type from proposals where ${only(sql`ai_type`)}
  union select agent_type from agent_progress where ${only(sql`agent_type`)}
  union select agent_type from token_usage where ${only(sql`agent_type`)}
),
registered as (
  select distinct on (type) type, id, status, count(*) over (partition by type)::int as agents
  from agents order by type, (name = type) desc, name
),
finished as (
  select id, agent_type, status, finished_at,
    extract(epoch from (finished_at - started_at)) * 1000 as duration_ms
  from tasks
  where status in ('succeeded', 'failed', 'cancelled') and ${inWindow(sql`finished_at`, window)}
),
runs as (
  select agent_type, count(*)::int as runs,
    (count(*) filter (where status = 'succeeded'))::int as succeeded,
    (count(*) filter (where status = 'failed'))::int as failed,
    (count(*) filter (where status = 'cancelled'))::int as cancelled,
    count(duration_ms)::int as duration_n,
    ${milliseconds(sql`avg(duration_ms)`)} as duration_mean,
    ${milliseconds(sql`percentile_cont(0.5) within group (order by duration_ms)`)} as duration_median,
    ${milliseconds(sql`max(duration_ms)`)} as duration_max
  from finished group by agent_type
),
last_runs as (
  select distinct on (agent_type) agent_type, id, status, finished_at
  from finished order by agent_type, finished_at desc, id desc
),
created as (
  select ai_type, count(*)::int as created from proposals p
  where ${inWindow(sql`p.created_at`, window)} group by ai_type
),
reviewed as (
  select ai_type,
    (count(*) filter (where verdict = 'accepted'))::int as accepted,
    (count(*) filter (where verdict = 'rejected'))::int as rejected
  from verdicts where ${inWindow(sql`at`, window)} group by ai_type
),
applied as (
  select p.ai_type, count(distinct t.proposal_id)::int as applied
  from proposal_transitions t join proposals p on p.id = t.proposal_id
  where t.to_status = 'applied' and ${inWindow(sql`t.at`, window)} group by p.ai_type
),
llm as (
  select agent_type, count(*)::int as calls, coalesce(sum(input_tokens + output_tokens), 0)::float8 as tokens,
    round(coalesce(sum(cost_usd), 0)::numeric, 6)::float8 as cost_usd
  from token_usage where ${inWindow(sql`created_at`, window)} group by agent_type
)
select t.agent_type, r.id as agent_id, r.status, coalesce(r.agents, 0) as agents,
  coalesce(runs.runs, 0) as runs, coalesce(runs.succeeded, 0) as succeeded, coalesce(runs.failed, 0) as failed,
  coalesce(runs.cancelled, 0) as cancelled,
  ${ratio(sql`coalesce(runs.succeeded, 0)`, sql`coalesce(runs.succeeded, 0) + coalesce(runs.failed, 0)`)} as success_rate,
  coalesce(runs.duration_n, 0) as duration_n, runs.duration_mean, runs.duration_median, runs.duration_max,
  l.id as last_task_id, l.status as last_status, ${isoText(sql`l.finished_at`)} as last_finished_at,
  coalesce(c.created, 0) as proposals_created, coalesce(v.accepted, 0) as proposals_accepted,
  coalesce(v.rejected, 0) as proposals_rejected, coalesce(a.applied, 0) as proposals_applied,
  ${ratio(sql`coalesce(v.accepted, 0)`, sql`coalesce(v.accepted, 0) + coalesce(v.rejected, 0)`)} as acceptance_rate,
  ap.xp, ap.level,
  (select round(avg(value::numeric), 4)::float8 from jsonb_array_elements_text(ap.recent_verdicts) as value)
    as learning_score,
  coalesce(llm.calls, 0) as llm_calls, coalesce(llm.tokens, 0) as llm_tokens, coalesce(llm.cost_usd, 0) as llm_cost_usd
from types t
left join registered r on r.type = t.agent_type
left join runs on runs.agent_type = t.agent_type
left join last_runs l on l.agent_type = t.agent_type
left join created c on c.ai_type = t.agent_type
left join reviewed v on v.ai_type = t.agent_type
left join applied a on a.ai_type = t.agent_type
left join agent_progress ap on ap.agent_type = t.agent_type
left join llm on llm.agent_type = t.agent_type
order by t.agent_type`,
  );
  return {
    window: presentWindow(window),
    agents: rows.map((row) => ({
      agent_type: row.agent_type,
      agent_id: row.agent_id,
      status: row.status,
      agents: row.agents,
      runs: row.runs,
      succeeded: row.succeeded,
      failed: row.failed,
      cancelled: row.cancelled,
      success_rate: num(row.success_rate),
      duration: {
        n: row.duration_n,
        mean_ms: num(row.duration_mean),
        median_ms: num(row.duration_median),
        max_ms: num(row.duration_max),
      },
      last_run:
        row.last_task_id && row.last_status && row.last_finished_at
          ? { task_id: row.last_task_id, status: row.last_status, finished_at: row.last_finished_at }
          : null,
      proposals_created: row.proposals_created,
      proposals_accepted: row.proposals_accepted,
      proposals_rejected: row.proposals_rejected,
      proposals_applied: row.proposals_applied,
      acceptance_rate: num(row.acceptance_rate),
      xp: row.xp,
      level: row.level,
      learning_score: num(row.learning_score),
      llm_calls: row.llm_calls,
      llm_tokens: Number(row.llm_tokens),
      llm_cost_usd: Number(row.llm_cost_usd),
    })),
  };
}
