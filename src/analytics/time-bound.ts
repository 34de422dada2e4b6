import { z } from 'zod';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/**
 * A query parameter bounding a period: a date (a whole UTC day: `from` is its start, `to` includes it) or a
 * date-time with an offset (`from` inclusive, `to` exclusive). Absent: no bound on that side.
 */
export const timeBound = (which: 'from' | 'to') =>
  z
    .string()
    .max(64)
    .optional()
    .transform((value, context) => {
      if (value === undefined) return undefined;
      const dateOnly = DATE_ONLY.test(value);
      const valid = dateOnly
        ? z.iso.date().safeParse(value).success
        : z.iso.datetime({ offset: true }).safeParse(value).success;
      if (!valid) {
        context.addIssue({
          code: 'custom',
          message: 'must be an ISO 8601 date (2025-01-31) or date-time with offset (2025-01-31T12:00:00Z)',
        });
        return z.NEVER;
      }
      const instant = new Date(dateOnly ? `${value}T00:00:00Z` : value);
      return which === 'to' && dateOnly ? new Date(instant.getTime() + DAY_MS) : instant;
    })
    .describe(
      which === 'from'
        ? 'from this date (start of the UTC day) or date-time, inclusive; no lower bound when absent'
        : 'up to this date (the whole UTC day included) or date-time (exclusive); no upper bound when absent',
    );
