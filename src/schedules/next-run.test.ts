import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCron, firstRunAt, followingRunAt } from './next-run.js';

const at = (iso: string) => new Date(iso);
const every = (intervalSeconds: number) => ({ intervalSeconds, cron: null });
const cron = (expression: string) => ({ intervalSeconds: null, cron: expression });

test('an interval schedule first runs one interval after now, on a whole second', () => {
  assert.deepEqual(firstRunAt(every(900), at('2025-01-01T10:00:00.750Z')), at('2025-01-01T10:15:00.000Z'));
  assert.deepEqual(firstRunAt(every(1), at('2025-01-01T10:00:00.000Z')), at('2025-01-01T10:00:01.000Z'));
});

test('an interval schedule keeps its phase when a tick comes late', () => {
  const due = at('2025-01-01T10:15:00.000Z');
  assert.deepEqual(followingRunAt(every(900), due, at('2025-01-01T10:15:00.000Z')), at('2025-01-01T10:30:00.000Z'));
  assert.deepEqual(followingRunAt(every(900), due, at('2025-01-01T10:15:03.200Z')), at('2025-01-01T10:30:00.000Z'));
});

test('periods missed while nothing ran are skipped: the next run is the first period start after now', () => {
  const due = at('2025-01-01T10:15:00.000Z');
  // Down for three and a half periods: one run now, the next at the period after now.
  assert.deepEqual(followingRunAt(every(900), due, at('2025-01-01T11:07:30.000Z')), at('2025-01-01T11:15:00.000Z'));
  // Exactly on a period start: that period is the current one, so the next is one later.
  assert.deepEqual(followingRunAt(every(900), due, at('2025-01-01T11:00:00.000Z')), at('2025-01-01T11:15:00.000Z'));
  assert.deepEqual(followingRunAt(every(60), due, at('2025-01-03T00:00:00.500Z')), at('2025-01-03T00:01:00.000Z'));
});

test('a cron schedule runs at the next occurrence strictly after now, in UTC', () => {
  assert.deepEqual(firstRunAt(cron('*/15 * * * *'), at('2025-01-01T10:00:00.500Z')), at('2025-01-01T10:15:00.000Z'));
  assert.deepEqual(firstRunAt(cron('*/15 * * * *'), at('2025-01-01T10:15:00.000Z')), at('2025-01-01T10:30:00.000Z'));
  assert.deepEqual(firstRunAt(cron('0 3 * * *'), at('2025-01-01T10:00:00.000Z')), at('2025-01-02T03:00:00.000Z'));
  assert.deepEqual(firstRunAt(cron('30 * * * * *'), at('2025-01-01T10:00:00.000Z')), at('2025-01-01T10:00:30.000Z'));
  assert.deepEqual(firstRunAt(cron('@daily'), at('2025-01-01T10:00:00.000Z')), at('2025-01-02T00:00:00.000Z'));
});

test('a cron schedule that missed occurrences runs once and moves to the first occurrence after now', () => {
  const due = at('2025-01-01T10:15:00.000Z');
  assert.deepEqual(
    followingRunAt(cron('*/15 * * * *'), due, at('2025-01-01T10:15:00.200Z')),
    at('2025-01-01T10:30:00.000Z'),
  );
  assert.deepEqual(
    followingRunAt(cron('*/15 * * * *'), due, at('2025-01-01T13:40:00.000Z')),
    at('2025-01-01T13:45:00.000Z'),
  );
});

test('cron expressions are checked and their whitespace normalised', () => {
  assert.deepEqual(checkCron('  */5   *  * * * '), { ok: true, cron: '*/5 * * * *' });
  assert.deepEqual(checkCron('0 0 * * mon-fri'), { ok: true, cron: '0 0 * * mon-fri' });
  assert.deepEqual(checkCron('0 0 * * THU'), { ok: true, cron: '0 0 * * THU' });
  assert.deepEqual(checkCron('@hourly'), { ok: true, cron: '@hourly' });
  for (const bad of [
    '',
    '   ',
    '* * * *',
    '* * * * * * *',
    '61 * * * *',
    '*/0 * * * *',
    '0 0 31 4 *',
    'bogus * * * *',
    'H * * * *',
    '0 H/5 * * *',
    '@reboot',
    '@hourly extra',
  ]) {
    const checked = checkCron(bad);
    assert.equal(checked.ok, false, `${JSON.stringify(bad)} should be refused`);
    if (!checked.ok) assert.ok(checked.message.length > 0);
  }
});

test('an interval of less than a second or neither cadence is a programming error', () => {
  assert.throws(() => firstRunAt(every(0), new Date()));
  assert.throws(() => followingRunAt({ intervalSeconds: null, cron: null }, new Date(), new Date()));
});
