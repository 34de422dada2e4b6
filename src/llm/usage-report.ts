import type { Config } from '../config/config.js';
import type { Orm } from '../db/database.js';
import { budgetStatus, periodBounds } from './token-budgets.js';
import {
  agentTypesUsed,
  summarizeUsage,
  type UsageFilter,
  type UsageGrouping,
  type UsageSummary,
} from './token-usage-store.js';

/**
 * The recorded LLM calls for the filter, with the breakdowns asked for, and where the daily and monthly
 * budgets stand now whatever the filter: of the one agent type filtered on, or else of every registered
 * agent type and every type that used a model this month.
 */
export async function usageReport(
  dependencies: {
    readonly orm: Orm;
    readonly llm: Config['llm'];
    readonly registeredAgentTypes: () => readonly string[];
    readonly now: () => Date;
  },
  filter: UsageFilter,
  groupings: readonly UsageGrouping[],
): Promise<{ summary: UsageSummary; budgets: Awaited<ReturnType<typeof budgetStatus>> }> {
  const { orm } = dependencies;
  const summary = await summarizeUsage(orm, filter, groupings);
  const now = dependencies.now();
  const agentTypes = filter.agentType
    ? [filter.agentType]
    : [
        ...new Set([
          ...dependencies.registeredAgentTypes(),
          ...(await agentTypesUsed(orm, { from: periodBounds('month', now).start })),
        ]),
      ].sort();
  const budgets = await budgetStatus(orm, dependencies.llm, agentTypes, now);
  return { summary, budgets };
}
