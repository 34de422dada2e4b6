import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { timeBound } from '../../../../../analytics/time-bound.js';
import { LANGUAGE_MODEL_PROVIDERS } from '../../../../../config/config.js';
import type { BudgetUse, PeriodBudgets } from '../../../../../llm/token-budgets.js';
import type { UsageGrouping, UsageTotals } from '../../../../../llm/token-usage-store.js';
import { usageReport } from '../../../../../llm/usage-report.js';

const GROUPINGS = ['agent', 'provider', 'model', 'day'] as const;
const bound = timeBound;

const usageQuery = z
  .object({
    from: bound('from'),
    to: bound('to'),
    agent_type: z.string().min(1).max(64).optional().describe('only calls of this agent type'),
    provider: z.enum(LANGUAGE_MODEL_PROVIDERS).optional().describe('only calls to this provider'),
    model: z.string().min(1).max(200).optional().describe('only calls to this model'),
    group_by: z
      .string()
      .max(100)
      .optional()
      .transform((value, context) => {
        if (value === undefined) return [...GROUPINGS];
        const groupings = value.split(',').map((entry) => entry.trim());
        const unknown = groupings.filter((entry) => !(GROUPINGS as readonly string[]).includes(entry));
        if (unknown.length || groupings.length === 0) {
          context.addIssue({
            code: 'custom',
            message: `must be one or more of ${GROUPINGS.join(', ')}, separated by commas (unknown: ${unknown.join(', ')})`,
          });
          return z.NEVER;
        }
        return [...new Set(groupings)] as UsageGrouping[];
      })
      .describe(`breakdowns to include: ${GROUPINGS.join(', ')} (comma-separated; all four by default)`),
  })
  .superRefine((query, context) => {
    if (query.from && query.to && query.from.getTime() >= query.to.getTime()) {
      context.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    }
  });

const totalsFields = {
  calls: z.number().int().describe('calls recorded (cache hits and failed calls included)'),
  cached_calls: z.number().int().describe('answered from the response cache, spending no tokens'),
  errors: z.number().int().describe('calls that ended in an error'),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  total_tokens: z.number().int(),
  cost_usd: z.number().describe('estimated from list prices (docs/llm.md); 0 for models without a price'),
  cost_estimated: z
    .boolean()
    .describe('false when some calls used a model without a known price, so cost_usd is incomplete'),
  unpriced_calls: z.number().int().describe('calls whose model has no known price'),
};
const totalsSchema = z.object(totalsFields).meta({ id: 'TokenUsageTotals' });

const budgetSchema = z
  .object({
    scope: z.enum(['global', 'agent']),
    agent_type: z.string().nullable(),
    limit: z.number().int().describe('tokens (input + output) allowed in the period'),
    used: z.number().int(),
    remaining: z.number().int(),
    exhausted: z.boolean().describe('calls under this budget are refused (429 budget_exhausted) until resets_at'),
  })
  .meta({ id: 'TokenBudget' });

const periodSchema = z.object({
  start: z.string(),
  resets_at: z.string(),
  global: budgetSchema.nullable().describe('LLM_DAILY_TOKEN_BUDGET / LLM_MONTHLY_TOKEN_BUDGET; null when unset'),
  agents: z
    .array(budgetSchema)
    .describe('per-agent budgets (LLM_DAILY_TOKEN_BUDGET_<AGENT>, LLM_MONTHLY_TOKEN_BUDGET_<AGENT>)'),
});

const summarySchema = z
  .object({
    from: z.string().nullable(),
    to: z.string().nullable(),
    totals: totalsSchema,
    by_agent: z.array(z.object({ agent_type: z.string(), ...totalsFields })).optional(),
    by_provider: z.array(z.object({ provider: z.string(), ...totalsFields })).optional(),
    by_model: z.array(z.object({ provider: z.string(), model: z.string(), ...totalsFields })).optional(),
    by_day: z.array(z.object({ day: z.string().describe('UTC day, YYYY-MM-DD'), ...totalsFields })).optional(),
    budgets: z
      .object({ day: periodSchema, month: periodSchema })
      .describe('where the budgets stand now (the current UTC day and month), whatever the filters'),
  })
  .meta({ id: 'TokenUsageSummary' });

const totals = (row: UsageTotals) => ({
  calls: row.calls,
  cached_calls: row.cachedCalls,
  errors: row.errors,
  input_tokens: row.inputTokens,
  output_tokens: row.outputTokens,
  total_tokens: row.inputTokens + row.outputTokens,
  cost_usd: row.costUsd,
  cost_estimated: row.unpricedCalls === 0,
  unpriced_calls: row.unpricedCalls,
});

const budget = (use: BudgetUse) => ({
  scope: use.scope,
  agent_type: use.agentType ?? null,
  limit: use.limit,
  used: use.used,
  remaining: use.remaining,
  exhausted: use.used >= use.limit,
});

const period = (status: PeriodBudgets) => ({
  start: status.start.toISOString(),
  resets_at: status.resetsAt.toISOString(),
  global: status.global ? budget(status.global) : null,
  agents: status.agents.map(budget),
});

/** Token usage and cost of LLM calls (recorded by src/llm), and where the budgets stand. */
const tokenUsageRoutes: FastifyPluginAsyncZod = async (app) => {
  const services = app.services;
  const { orm } = services.database;

  app.get(
    '/',
    {
      config: { auth: { scope: 'agents:read' } },
      schema: {
        summary: 'Token usage and estimated cost of LLM calls, with budgets',
        description:
          'Totals of the recorded LLM calls (every call, cache hits and failures included) in the period and ' +
          'for the filters, broken down by agent, provider, model and UTC day (`group_by` picks which), and where ' +
          'the daily and monthly token budgets stand. Costs are estimates from list prices; `cost_estimated` is ' +
          'false when a model without a known price was used.',
        tags: ['llm'],
        querystring: usageQuery,
        response: { 200: summarySchema },
      },
    },
    async (request) => {
      const query = request.query;
      const filter = {
        from: query.from,
        to: query.to,
        agentType: query.agent_type,
        provider: query.provider,
        model: query.model,
      };
      const { summary, budgets } = await usageReport(
        {
          orm,
          llm: services.config.llm,
          registeredAgentTypes: () => services.agents.list().map((definition) => definition.type),
          now: () => services.now(),
        },
        filter,
        query.group_by,
      );
      return {
        from: query.from?.toISOString() ?? null,
        to: query.to?.toISOString() ?? null,
        totals: totals(summary.totals),
        ...(summary.byAgent && {
          by_agent: summary.byAgent.map((row) => ({ agent_type: row.agentType, ...totals(row) })),
        }),
        ...(summary.byProvider && {
          by_provider: summary.byProvider.map((row) => ({ provider: row.provider, ...totals(row) })),
        }),
        ...(summary.byModel && {
          by_model: summary.byModel.map((row) => ({ provider: row.provider, model: row.model, ...totals(row) })),
        }),
        ...(summary.byDay && { by_day: summary.byDay.map((row) => ({ day: row.day, ...totals(row) })) }),
        budgets: { day: period(budgets.day), month: period(budgets.month) },
      };
    },
  );
};

export default tokenUsageRoutes;
