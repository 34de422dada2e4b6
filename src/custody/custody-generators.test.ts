import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCode } from '../analysis/guardian/analyze.js';
import { GUARDIAN_RULES } from '../analysis/guardian/rules.js';
import { createInlineCompute } from '../compute/compute-pool.js';
import { eligibilityOf } from './custody-store.js';
import { CUSTODY_PROFILES } from './difficulty.js';
import { generateGuardianCases, runGuardianCases } from './guardian-cases.js';
import { generateImperiumCases, runImperiumCases } from './imperium-cases.js';
import { createRandom, seedFromText } from './random.js';
import { runCustodyTest, scoreCustody } from './run-custody.js';
import { generateSandboxFixture } from './sandbox-cases.js';
import { failedAutoApplyGates } from '../inbox/auto-apply-gates.js';
import { DEFAULT_REPOSITORY_POLICY } from '../repositories/policy.js';
import { DIFFICULTIES } from '../learning/xp.js';

const compute = createInlineCompute();

const config = {
  sandboxMode: 'auto' as const,
  dataDirectory: '/nonexistent/lvlup-custody-test',
  sandboxWorkDirectory: undefined,
  sandboxBwrapPath: undefined,
};

/** The sink each family's planted line must contain: a reference check independent of the analyzer. */
const SINK_TEXT: Record<string, RegExp> = {
  sql_injection: /\b(query|execute)\(/,
  command_injection: /\b(exec|check_output)\(/,
  code_injection: /\b(new Function|eval)\(/,
  open_redirect: /\bredirect\(/,
  path_traversal: /\b(readFile|open)\(/,
  weak_crypto: /md5/,
};

describe('custody generators', () => {
  it('the random generator is seeded: same seed, same sequence; another seed, another', () => {
    const take = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 8 }, () => random.next());
    };
    assert.deepEqual(take(7), take(7));
    assert.notDeepEqual(take(7), take(8));
    assert.equal(
      seedFromText('schedule:custody:2026-01-01T00:00:00.000Z'),
      seedFromText('schedule:custody:2026-01-01T00:00:00.000Z'),
    );
  });

  it('Guardian cases are reproducible from (difficulty, seed), differ by seed, and grow with difficulty', () => {
    for (const difficulty of DIFFICULTIES) {
      const cases = generateGuardianCases(difficulty, 1234);
      assert.deepEqual(generateGuardianCases(difficulty, 1234), cases);
      assert.notDeepEqual(generateGuardianCases(difficulty, 1235), cases);
      assert.equal(cases.length, CUSTODY_PROFILES.guardian[difficulty].cases);
      assert.ok(cases.some((testCase) => testCase.kind === 'vulnerable'));
      assert.ok(cases.some((testCase) => testCase.kind !== 'vulnerable'));
      assert.ok(cases.every((testCase) => testCase.obfuscation <= CUSTODY_PROFILES.guardian[difficulty].obfuscation));
    }
    assert.ok(generateGuardianCases('legendary', 1).some((testCase) => testCase.kind === 'tricky-clean'));
    assert.ok(generateGuardianCases('basic', 1).every((testCase) => testCase.kind !== 'tricky-clean'));
  });

  it('plants each vulnerability on its stated line and keeps clean twins free of the family', async () => {
    for (const difficulty of ['basic', 'expert'] as const) {
      for (const seed of [1, 2, 3]) {
        for (const testCase of generateGuardianCases(difficulty, seed)) {
          const line = testCase.line === null ? '' : testCase.code.split('\n')[testCase.line - 1]!;
          if (testCase.kind === 'vulnerable') {
            assert.match(line, SINK_TEXT[testCase.issueType]!, `${testCase.id} ${testCase.issueType}`);
          } else {
            assert.equal(testCase.line, null);
          }
          // the real analyzer agrees with the ground truth on these samples
          const findings = await analyzeCode({ code: testCase.code, filePath: testCase.filePath }, GUARDIAN_RULES);
          const ofFamily = findings.filter((finding) => finding.issue_type === testCase.issueType);
          if (testCase.kind === 'vulnerable') {
            assert.ok(
              ofFamily.some((finding) => finding.line === testCase.line),
              `${difficulty}/${seed} ${testCase.id}: ${testCase.issueType} at ${testCase.line} not found in\n${testCase.code}`,
            );
          } else {
            assert.deepEqual(
              ofFamily,
              [],
              `${difficulty}/${seed} ${testCase.id} (${testCase.kind}):\n${testCase.code}`,
            );
          }
        }
      }
    }
  });

  it('scores deterministically: the same seed gives the same results and score', async () => {
    const first = await runCustodyTest(
      { agentType: 'guardian', difficulty: 'advanced', seed: 99 },
      { config, compute },
    );
    const second = await runCustodyTest(
      { agentType: 'guardian', difficulty: 'advanced', seed: 99 },
      { config, compute },
    );
    assert.deepEqual(first.results, second.results);
    assert.equal(first.score, second.score);
    assert.equal(first.cases, 10);
    assert.equal(first.passed, true, JSON.stringify(first.results.filter((result) => !result.correct)));

    // the score is correct cases / cases against the difficulty's threshold
    const results = await runGuardianCases(generateGuardianCases('basic', 5), compute);
    const flipped = results.map((result, index) => (index < 2 ? { ...result, correct: false } : result));
    assert.deepEqual(scoreCustody('guardian', 'basic', flipped), {
      cases: 6,
      passedCases: 4,
      score: 0.6667,
      threshold: 0.8,
      passed: false,
    });
    assert.equal(scoreCustody('guardian', 'basic', results).passed, true);
    assert.equal(scoreCustody('guardian', 'basic', []).passed, false);
  });

  it('Imperium cases: reproducible; the engine makes each opportunity, leaves decoys, and behaviour holds', async () => {
    const cases = generateImperiumCases('expert', 77);
    assert.deepEqual(generateImperiumCases('expert', 77), cases);
    assert.notDeepEqual(generateImperiumCases('expert', 78), cases);
    assert.equal(cases.length, 6);
    assert.deepEqual(cases.map((testCase) => testCase.kind).sort(), [
      'decoy',
      'decoy',
      'opportunity',
      'opportunity',
      'opportunity',
      'opportunity',
    ]);
    const results = await runImperiumCases(cases, compute);
    for (const result of results) {
      assert.equal(result.got.behaviour_preserved, true, JSON.stringify(result));
      assert.equal(result.correct, true, JSON.stringify(result));
    }
    // a program that does not keep its behaviour is caught: a broken "after" is simulated by a decoy whose
    // expectation is reversed
    const reversed = results.map((result) => ({ ...result, correct: result.kind === 'opportunity' }));
    assert.equal(scoreCustody('imperium', 'expert', reversed).score, 0.6667);
  });

  it('Sandbox fixtures are reproducible, with break and keep proposals, a check per function', () => {
    const fixture = generateSandboxFixture('advanced', 3);
    assert.deepEqual(generateSandboxFixture('advanced', 3), fixture);
    assert.notDeepEqual(generateSandboxFixture('advanced', 4), fixture);
    assert.equal(fixture.cases.length, 3);
    assert.equal(fixture.brokenBase, false);
    assert.equal(fixture.commands.length, 3);
    for (const command of fixture.commands) {
      const file = command.replace(/^node /, '');
      assert.ok(fixture.files[file], `${command} runs a file of the package`);
    }
    assert.match(fixture.files['package.json']!, new RegExp(`"test": "${fixture.commands.join(' && ')}"`));
    assert.ok(fixture.cases.some((testCase) => testCase.kind === 'break'));
    assert.ok(fixture.cases.some((testCase) => testCase.kind === 'keep'));
    assert.ok(fixture.cases.every((testCase) => testCase.kind !== 'fix'));
  });

  it('from expert on, the base is broken and one proposal fixes it', () => {
    for (const difficulty of ['expert', 'master', 'legendary'] as const) {
      for (const seed of [1, 2, 3, 4, 5]) {
        const fixture = generateSandboxFixture(difficulty, seed);
        assert.equal(fixture.brokenBase, true);
        assert.equal(fixture.cases.filter((testCase) => testCase.kind === 'fix').length, 1);
        // only the fix touches the broken function, so every other case's verdict is decided elsewhere
        const brokenBody = 'text.repeat(Math.max(0, times - 1))';
        assert.ok(fixture.files['lib.js']!.includes(brokenBody));
        for (const testCase of fixture.cases.filter((entry) => entry.kind !== 'fix')) {
          const library = testCase.changes.find((change) => change.file_path === 'lib.js');
          if (library)
            assert.ok(library.code_after.includes(brokenBody), `${difficulty}/${seed} ${testCase.description}`);
        }
      }
    }
  });

  it('runs Sandbox custody through the real pipeline and gets the verdicts right', { timeout: 60_000 }, async () => {
    const outcome = await runCustodyTest({ agentType: 'sandbox', difficulty: 'basic', seed: 11 }, { config, compute });
    assert.equal(outcome.cases, 2);
    assert.equal(outcome.passed, true, JSON.stringify(outcome.results));
    assert.deepEqual(outcome.results.map((result) => [result.kind, result.got.verdict]).sort(), [
      ['break', 'regression'],
      ['keep', 'passed'],
    ]);
  });

  it(
    'on a broken base expects still-failing for a keep and fixed for a fix, and Sandbox gives them',
    { timeout: 90_000 },
    async () => {
      const outcome = await runCustodyTest(
        { agentType: 'sandbox', difficulty: 'master', seed: 2 },
        { config, compute },
      );
      assert.equal(outcome.cases, 4);
      assert.equal(outcome.passed, true, JSON.stringify(outcome.results));
      assert.deepEqual(
        outcome.results.map((result) => [result.kind, result.expected.verdict, result.got.verdict]).sort(),
        [
          ['break', 'regression', 'regression'],
          ['break', 'regression', 'regression'],
          ['fix', 'fixed', 'fixed'],
          ['keep', 'still-failing', 'still-failing'],
        ],
      );
      for (const result of outcome.results) {
        assert.deepEqual(
          (result.got.baseline_exit_codes as number[]).map((code) => code === 0),
          [true, true, false],
          'the base fails only the check of the broken function',
        );
      }
    },
  );
});

describe('custody eligibility', () => {
  // histories newest first
  const cases: [boolean[], boolean, string][] = [
    [[], false, 'no custody test yet'],
    [[true, true], false, '2 of the last 2'],
    [[true, true, true], true, '3 of the last 3'],
    [[true, false, true, false, true], true, '3 of the last 5'],
    [[false, false, true, true, true], true, '2 consecutive failures'],
    [[false, true, false, true, false, true], false, '2 of the last 5'],
    [[false, false, false, true, true, true, true], false, '3 consecutive custody failures'],
    [[true, true, true, false, false, false, false, false], true, '3 of the last 5'],
  ];
  for (const [history, eligible, reason] of cases) {
    it(`${JSON.stringify(history)} → ${eligible ? 'eligible' : 'not eligible'}`, () => {
      const result = eligibilityOf(history);
      assert.equal(result.eligible, eligible);
      assert.match(result.reason, new RegExp(reason.replace(/[()]/g, '\\$&')));
      assert.deepEqual(result.lastFive, history.slice(0, 5));
    });
  }
  it('counts a failure streak longer than the window', () => {
    const result = eligibilityOf([false, false, false, false, false], 9);
    assert.equal(result.consecutiveFailures, 9);
    assert.match(result.reason, /0 of the last 5 .*; 9 consecutive custody failures/);
  });
});

describe('the autonomy gates', () => {
  const proposal = {
    status: 'pending' as const,
    confidence: 0.95,
    testResults: null,
    acceptanceScore: 0.8 as number | null,
    findings: [],
  };
  const repository = {
    checkCommands: [],
    policy: { ...DEFAULT_REPOSITORY_POLICY, auto_apply: true, auto_apply_min_level: 3, auto_apply_min_acceptance: 0.6 },
  };
  const eligible = { eligible: true, reason: '3 of the last 3 custody tests passed' };
  const gates = (failed: { gate: string }[]) => failed.map((gate) => gate.gate);

  it('passes when level, custody and acceptance all hold', () => {
    assert.deepEqual(failedAutoApplyGates(proposal, repository, { type: 'guardian', level: 3, custody: eligible }), []);
  });

  it('names each failed gate with its detail', () => {
    const failed = failedAutoApplyGates({ ...proposal, acceptanceScore: 0.4 }, repository, {
      type: 'guardian',
      level: 2,
      custody: { eligible: false, reason: '1 of the last 5 custody tests passed' },
    });
    assert.deepEqual(gates(failed), ['level', 'custody', 'acceptance']);
    assert.match(failed[0]!.detail, /guardian is level 2, below the policy's 3/);
    assert.match(failed[1]!.detail, /not custody-eligible: 1 of the last 5/);
    assert.match(failed[2]!.detail, /acceptance score 0.4 is below the policy's 0.6/);
    assert.deepEqual(
      gates(failedAutoApplyGates(proposal, repository, { type: 'guardian', level: 1, custody: eligible })),
      ['level'],
    );
    assert.deepEqual(
      gates(
        failedAutoApplyGates(proposal, repository, {
          type: 'guardian',
          level: 9,
          custody: { ...eligible, eligible: false },
        }),
      ),
      ['custody'],
    );
    const unscored = failedAutoApplyGates({ ...proposal, acceptanceScore: null }, repository, {
      type: 'guardian',
      level: 3,
      custody: eligible,
    });
    assert.deepEqual(gates(unscored), ['acceptance']);
    assert.match(unscored[0]!.detail, /no acceptance score yet/);
  });

  it('a null acceptance threshold turns that gate off; the defaults ask for level 1 and 0.5', () => {
    const off = { ...repository, policy: { ...repository.policy, auto_apply_min_acceptance: null } };
    assert.deepEqual(
      failedAutoApplyGates({ ...proposal, acceptanceScore: null }, off, {
        type: 'imperium',
        level: 3,
        custody: eligible,
      }),
      [],
    );
    assert.equal(DEFAULT_REPOSITORY_POLICY.auto_apply_min_level, 1);
    assert.equal(DEFAULT_REPOSITORY_POLICY.auto_apply_min_acceptance, 0.5);
  });
});
