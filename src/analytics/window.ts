import { z } from 'zod';
import { timeBound } from './time-bound.js';

/** The period a metric covers: `from` inclusive, `to` exclusive; an absent bound is open. */
export interface TimeWindow {
  readonly from: Date | undefined;
  readonly to: Date | undefined;
}

const bound = timeBound;

/** The `from` and `to` query parameters every analytics route takes. */
export const windowQueryFields = { from: bound('from'), to: bound('to') };

/** Refinement for a query with window fields: `from` must come before `to` (a date `to` includes its day). */
export function checkWindowOrder(
  query: { from?: Date | undefined; to?: Date | undefined },
  context: z.RefinementCtx,
): void {
  if (query.from && query.to && query.from.getTime() >= query.to.getTime()) {
    context.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  }
}

export const windowSchema = z
  .object({
    from: z.string().nullable().describe('inclusive; null: no lower bound'),
    to: z.string().nullable().describe('exclusive; null: no upper bound'),
  })
  .meta({ id: 'AnalyticsWindow' });

export const presentWindow = (window: TimeWindow) => ({
  from: window.from?.toISOString() ?? null,
  to: window.to?.toISOString() ?? null,
});
