import { agentSettingsKey, type Config } from '../config/config.js';
import type { Orm } from '../db/database.js';
import { BudgetExhaustedError, type BudgetPeriod, type BudgetScope } from './language-model-errors.js';
import { tokensUsed } from './token-usage-store.js';

/** The UTC day or month `now` falls in: [start, end). */
export function periodBounds(period: BudgetPeriod, now: Date): { start: Date; end: Date } {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  if (period === 'month')
    return { start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)) };
  const day = now.getUTCDate();
  return { start: new Date(Date.UTC(year, month, day)), end: new Date(Date.UTC(year, month, day + 1)) };
}

export interface BudgetLimit {
  readonly scope: BudgetScope;
  readonly period: BudgetPeriod;
  readonly agentType: string | undefined;
  readonly limit: number;
}

/** The budgets that apply to an agent's calls: global and its own, daily and monthly (those configured). */
export function budgetsFor(llm: Config['llm'], agentType: string): BudgetLimit[] {
  const key = agentSettingsKey(agentType);
  const candidates: (BudgetLimit | undefined)[] = [
    llm.dailyTokenBudget === undefined
      ? undefined
      : { scope: 'global', period: 'day', agentType: undefined, limit: llm.dailyTokenBudget },
    llm.monthlyTokenBudget === undefined
      ? undefined
      : { scope: 'global', period: 'month', agentType: undefined, limit: llm.monthlyTokenBudget },
    llm.agentDailyTokenBudgets[key] === undefined
      ? undefined
      : { scope: 'agent', period: 'day', agentType, limit: llm.agentDailyTokenBudgets[key] },
    llm.agentMonthlyTokenBudgets[key] === undefined
      ? undefined
      : { scope: 'agent', period: 'month', agentType, limit: llm.agentMonthlyTokenBudgets[key] },
  ];
  return candidates.filter((budget): budget is BudgetLimit => budget !== undefined);
}

export interface BudgetUse extends BudgetLimit {
  readonly used: number;
  readonly remaining: number;
  readonly resetsAt: Date;
}

/** How much of a budget is used in the period `now` falls in. */
export async function budgetUse(orm: Orm, budget: BudgetLimit, now: Date): Promise<BudgetUse> {
  const { start, end } = periodBounds(budget.period, now);
  const used = await tokensUsed(orm, {
    from: start,
    to: end,
    agentType: budget.scope === 'agent' ? budget.agentType : undefined,
  });
  return { ...budget, used, remaining: Math.max(0, budget.limit - used), resetsAt: end };
}

/**
 * Refuses a call before it is made when any budget that applies is used up (tokens spent ≥ the limit) by
 * throwing BudgetExhaustedError. A call that starts under budget may end over it: budgets bound spending to
 * one call's worth beyond the limit (more with calls running at once), never silently skip.
 */
export async function checkBudgets(orm: Orm, llm: Config['llm'], agentType: string, now: Date): Promise<void> {
  for (const budget of budgetsFor(llm, agentType)) {
    const use = await budgetUse(orm, budget, now);
    if (use.used >= use.limit) {
      throw new BudgetExhaustedError({
        scope: use.scope,
        period: use.period,
        agentType: use.agentType,
        limit: use.limit,
        used: use.used,
        resetsAt: use.resetsAt,
      });
    }
  }
}

export interface PeriodBudgets {
  readonly period: BudgetPeriod;
  readonly start: Date;
  readonly resetsAt: Date;
  /** the budget of all agents together, if one is configured */
  readonly global: BudgetUse | undefined;
  /** the per-agent budgets configured for the given agents */
  readonly agents: BudgetUse[];
}

/** Where every budget stands now, for the given agent types (those without a budget of their own are left out). */
export async function budgetStatus(
  orm: Orm,
  llm: Config['llm'],
  agentTypes: readonly string[],
  now: Date,
): Promise<Record<BudgetPeriod, PeriodBudgets>> {
  const status = async (period: BudgetPeriod): Promise<PeriodBudgets> => {
    const { start, end } = periodBounds(period, now);
    const global = budgetsFor(llm, '').find((budget) => budget.scope === 'global' && budget.period === period);
    const agents: BudgetUse[] = [];
    for (const agentType of agentTypes) {
      const own = budgetsFor(llm, agentType).find((budget) => budget.scope === 'agent' && budget.period === period);
      if (own) agents.push(await budgetUse(orm, own, now));
    }
    return {
      period,
      start,
      resetsAt: end,
      global: global ? await budgetUse(orm, global, now) : undefined,
      agents,
    };
  };
  return { day: await status('day'), month: await status('month') };
}
