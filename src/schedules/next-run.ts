import { CronExpressionParser } from 'cron-parser';

/**
 * How often a schedule runs: every `intervalSeconds`, or at the times a cron expression names (UTC).
 * A stored schedule has exactly one of the two.
 */
export interface Cadence {
  readonly intervalSeconds: number | null;
  readonly cron: string | null;
}

/** Cron's own aliases; `@reboot` and the like mean nothing to a scheduler that is always running. */
const ALIASES = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@hourly',
  '@minutely',
  '@secondly',
  '@weekdays',
  '@weekends',
]);

/** Jenkins-style `H` picks a random value per parse: processes would disagree on the next run. */
const HASHED_FIELD = /(^|,)H($|[/(])/i;

const FIXED_DATE = new Date('2000-01-01T00:00:00Z');

function occurrenceAfter(expression: string, after: Date): Date {
  return CronExpressionParser.parse(expression, { currentDate: after, tz: 'UTC' }).next().toDate();
}

/**
 * Checks a cron expression: five fields (minute hour day-of-month month day-of-week), six with a leading
 * seconds field, or one of cron's @aliases; evaluated in UTC. Answers the expression with its whitespace
 * normalised (what is stored), or a message saying what is wrong.
 */
export function checkCron(expression: string): { ok: true; cron: string } | { ok: false; message: string } {
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length === 1 && fields[0]!.startsWith('@')) {
    if (!ALIASES.has(fields[0]!.toLowerCase())) {
      return { ok: false, message: `unknown alias ${fields[0]}; use one of ${[...ALIASES].join(', ')}` };
    }
  } else if (fields.length !== 5 && fields.length !== 6) {
    return {
      ok: false,
      message: 'must have 5 fields (minute hour day-of-month month day-of-week) or 6 with leading seconds',
    };
  } else if (fields.some((field) => HASHED_FIELD.test(field))) {
    return { ok: false, message: 'hashed values (H) are not supported' };
  }
  const cron = fields.join(' ');
  try {
    // Parsing alone accepts some expressions that can never fire; asking for an occurrence catches them.
    occurrenceAfter(cron, FIXED_DATE);
  } catch (error) {
    return { ok: false, message: `is not a valid cron expression: ${(error as Error).message}` };
  }
  return { ok: true, cron };
}

function intervalMs(cadence: Cadence): number {
  if (cadence.intervalSeconds === null || cadence.intervalSeconds < 1) {
    throw new Error('A schedule needs an interval of at least 1 second or a cron expression.');
  }
  return cadence.intervalSeconds * 1000;
}

/**
 * The first period start strictly after `now`, for a schedule just created or changed. Interval periods
 * start on whole seconds, so every stored period start is exact at the millisecond precision of a Date
 * (the scheduler compares stored values for equality).
 */
export function firstRunAt(cadence: Cadence, now: Date): Date {
  if (cadence.cron !== null) return occurrenceAfter(cadence.cron, now);
  return new Date(Math.floor(now.getTime() / 1000) * 1000 + intervalMs(cadence));
}

/**
 * After the period that started at `due` has run: the next period start strictly after `now`. Periods
 * missed while no process was running are skipped, not caught up one by one. Interval periods keep
 * their phase (`due` plus whole intervals), so a late tick does not make the schedule drift.
 */
export function followingRunAt(cadence: Cadence, due: Date, now: Date): Date {
  if (cadence.cron !== null) return occurrenceAfter(cadence.cron, due > now ? due : now);
  const step = intervalMs(cadence);
  const periods = Math.max(1, Math.floor((now.getTime() - due.getTime()) / step) + 1);
  return new Date(due.getTime() + periods * step);
}
