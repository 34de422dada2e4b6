import { agentSettingsKey, type Config } from '../config/config.js';
import type { Orm } from '../db/database.js';
import { takeTransactionLock } from '../db/transaction-lock.js';
import {
  deleteExpiredReservations,
  deleteReservation,
  insertReservation,
  reservedTokens,
} from './budget-reservation-store.js';
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

const exhausted = (use: BudgetUse, used: number) =>
  new BudgetExhaustedError({
    scope: use.scope,
    period: use.period,
    agentType: use.agentType,
    limit: use.limit,
    used,
    resetsAt: use.resetsAt,
  });

/** Tokens a call is assumed to use until it reports its usage: about 4 characters a token, plus its answer. */
export function estimateTokens(promptCharacters: number, maxOutputTokens: number | undefined): number {
  return Math.ceil(promptCharacters / 4) + (maxOutputTokens ?? DEFAULT_RESERVED_OUTPUT_TOKENS);
}
/** What a call without `maxOutputTokens` is assumed to answer, for its reservation. */
export const DEFAULT_RESERVED_OUTPUT_TOKENS = 1024;

/** A budget reservation held while a call runs; `release` is idempotent. */
export interface BudgetReservation {
  release(): Promise<void>;
}

const NOTHING_RESERVED: BudgetReservation = { release: () => Promise.resolve() };

/**
 * The budget check of a call, with the calls in flight counted: a budget is used up when the tokens spent in
 * its period plus the tokens reserved by running calls (of the agent, for an agent budget) reach its limit.
 * Otherwise the call reserves its estimate until `release` (after its usage is recorded) or `expiresAt`.
 *
 * The race this closes: two calls checking at once both saw the budget unspent and both ran, however many
 * there were. Check and reservation happen in one transaction under one advisory lock, so a second call's
 * check sees the first one's reservation (PGlite runs one transaction at a time anyway). Without a
 * configured budget nothing is written.
 */
export async function reserveBudgets(
  orm: Orm,
  llm: Config['llm'],
  request: { agentType: string; tokens: number; now: Date; expiresAt: Date },
): Promise<BudgetReservation> {
  const budgets = budgetsFor(llm, request.agentType);
  if (budgets.length === 0) return NOTHING_RESERVED;
  const id = await orm.transaction(async (transaction) => {
    await takeTransactionLock(transaction, 'lvlup:llm-budgets');
    await deleteExpiredReservations(transaction, request.now);
    for (const budget of budgets) {
      const use = await budgetUse(transaction, budget, request.now);
      const inFlight = await reservedTokens(transaction, budget.scope === 'agent' ? request.agentType : undefined);
      if (use.used + inFlight >= use.limit) throw exhausted(use, use.used + inFlight);
    }
    return insertReservation(transaction, {
      agentType: request.agentType,
      tokens: request.tokens,
      expiresAt: request.expiresAt,
    });
  });
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await deleteReservation(orm, id);
    },
  };
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
