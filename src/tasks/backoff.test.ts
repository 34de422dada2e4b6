import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retryDelayMs } from './backoff.js';

const settings = { baseMs: 1000, capMs: 30_000 };

test('the delay doubles with each attempt, between half and all of the exponential step', () => {
  assert.equal(
    retryDelayMs(1, settings, () => 0),
    500,
  );
  assert.equal(
    retryDelayMs(1, settings, () => 1),
    1000,
  );
  assert.equal(
    retryDelayMs(2, settings, () => 0),
    1000,
  );
  assert.equal(
    retryDelayMs(3, settings, () => 1),
    4000,
  );
});

test('the delay never exceeds the cap', () => {
  assert.equal(
    retryDelayMs(20, settings, () => 1),
    30_000,
  );
  assert.equal(
    retryDelayMs(20, settings, () => 0),
    15_000,
  );
});

test('jitter spreads retries of tasks that failed together', () => {
  const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(4, settings)));
  assert.ok(delays.size > 10);
  for (const delay of delays) assert.ok(delay >= 4000 && delay <= 8000);
});
