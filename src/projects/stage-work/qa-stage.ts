import type { SandboxCommandResult } from '../../db/schema.js';
import { runChecks } from '../../sandbox/run-checks.js';
import { preparedApp } from './build-stage.js';
import { StageFailedError, type StageWork } from './stage-work.js';

// Stage 9: the app's own tests, run in the Sandbox. Their counts are read from node's test runner summary
// (`# tests`, `# pass`, `# fail`), which the generated `npm test` prints.

const count = (output: string, name: string): number | undefined => {
  const matches = [...output.matchAll(new RegExp(`^# ${name} (\\d+)$`, 'gm'))];
  const last = matches.at(-1);
  return last ? Number(last[1]) : undefined;
};

function unitTestReport(result: SandboxCommandResult) {
  const output = `${result.output_head}\n${result.output_tail}`;
  return {
    command: result.command,
    exit_code: result.exit_code,
    duration_ms: result.duration_ms,
    tests: count(output, 'tests') ?? null,
    passed: count(output, 'pass') ?? null,
    failed: count(output, 'fail') ?? null,
    skipped: count(output, 'skipped') ?? null,
  };
}

export const qaStage: StageWork = async (input) => {
  const { service, tree } = await preparedApp(input);
  try {
    const run = await runChecks(service, {
      repositoryPath: input.folder,
      workTree: tree.path,
      commands: ['npm test'],
      signal: input.signal,
    });
    const result = run.results[0]!;
    const unit = unitTestReport(result);
    await input.log(
      `unit tests: ${unit.passed ?? '?'} passed, ${unit.failed ?? '?'} failed of ${unit.tests ?? '?'} (exit ${unit.exit_code})`,
    );
    if (result.exit_code !== 0 || !unit.tests) {
      throw new StageFailedError(
        'tests_failed',
        `npm test ${result.exit_code === 0 ? 'ran no test' : `exited ${result.exit_code ?? result.signal}`}:\n${result.output_tail.slice(-4000)}`,
      );
    }
    const report = {
      isolation: service.availability.isolation,
      unit_tests: unit,
      contract_tests: {
        status: 'not_built',
        reason: 'contract tests generated from the OpenAPI document are not built yet',
      },
      browser_smoke_test: { status: 'not_built', reason: 'the browser smoke test of the frontend is not built yet' },
    };
    return {
      files: {},
      artifacts: [
        {
          kind: 'test_report',
          name: 'test-report.json',
          mediaType: 'application/json',
          content: `${JSON.stringify(report, null, 2)}\n`,
        },
      ],
    };
  } finally {
    await tree.dispose();
  }
};
