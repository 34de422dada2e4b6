import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SandboxCommandResult } from '../db/schema.js';
import { summariseTimings } from './timing-summary.js';
import { compareWithBaseline, statusForVerdict } from './verdict.js';

const result = (command: string, exitCode: number | null): SandboxCommandResult => ({
  command,
  exit_code: exitCode,
  signal: null,
  duration_ms: 1,
  limit: null,
  output_head: '',
  output_tail: '',
  output_bytes: 0,
  truncated: false,
});

describe('sandbox verdicts', () => {
  it('passes when everything passes on both', () => {
    const outcome = compareWithBaseline(
      [result('build', 0), result('test', 0)],
      [result('build', 0), result('test', 0)],
    );
    assert.equal(outcome.verdict, 'passed');
    assert.equal(statusForVerdict(outcome.verdict), 'test-passed');
  });

  it('blames the change for a check that passed on the base', () => {
    const outcome = compareWithBaseline(
      [result('build', 0), result('test', 1)],
      [result('build', 2), result('test', 1)],
    );
    assert.equal(outcome.verdict, 'regression');
    assert.deepEqual(outcome.regressions, ['build']);
    assert.equal(statusForVerdict(outcome.verdict), 'test-failed');
  });

  it('does not blame it for failures the base already had', () => {
    const outcome = compareWithBaseline(
      [result('build', 0), result('test', 1)],
      [result('build', 0), result('test', 1)],
    );
    assert.equal(outcome.verdict, 'still-failing');
    assert.equal(statusForVerdict(outcome.verdict), 'test-passed');
  });

  it('credits a change that makes every check pass', () => {
    const outcome = compareWithBaseline([result('test', 1)], [result('test', 0)]);
    assert.equal(outcome.verdict, 'fixed');
    assert.deepEqual(outcome.fixed, ['test']);
  });

  it('counts a command killed by a limit (no exit code) as a failure', () => {
    assert.equal(compareWithBaseline([result('test', 0)], [result('test', null)]).verdict, 'regression');
  });
});

describe('timing summaries', () => {
  it('gives min, median, max and mean', () => {
    assert.deepEqual(summariseTimings([30, 10, 20]), { min: 10, median: 20, max: 30, mean: 20 });
    assert.deepEqual(summariseTimings([4, 1, 3, 2]), { min: 1, median: 2.5, max: 4, mean: 2.5 });
    assert.equal(summariseTimings([]), null);
  });
});
