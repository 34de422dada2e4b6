import { lstat, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SandboxCommandResult } from '../../db/schema.js';
import { CONTRACT_TESTS_FILE, contractTestsOf, type ContractReport } from '../../generation/contract/contract-tests.js';
import { runChecks } from '../../sandbox/run-checks.js';
import { preparedApp } from './build-stage.js';
import { browserSmokeStep, smokeSkipReason, WEB_BUILD_COMMAND } from './qa-browser-smoke.js';
import { StageFailedError, type StageWork } from './stage-work.js';

// Stage 9: the app's own tests, then contract tests generated from its OpenAPI document, which start the
// app and exercise every operation, checking every answer against the document; all in the Sandbox (the app
// listens on the sandbox's own loopback). Unit test counts are read from node's test runner summary
// (`# tests`, `# pass`, `# fail`), which the generated `npm test` prints.

const REPORT_FILE = '.contract-report.json';

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

function contractFailures(contract: ContractReport): string {
  const failures = contract.operations
    .filter((operation) => operation.result === 'failed')
    .flatMap((operation) =>
      operation.checks
        .filter((check) => !check.passed)
        .map((check) => `${operation.method} ${operation.path}: ${check.name}: ${check.detail}`),
    );
  return `${contract.error ?? `${contract.failed} operations failed their contract`}\n${failures.slice(0, 30).join('\n')}`;
}

/**
 * The contract tests' report, read from the sandbox's work tree, where the app's dependencies ran: only a
 * regular file (not a link a package put there to show lvlup's files), and not an unbounded one.
 */
async function readReport(file: string): Promise<ContractReport | undefined> {
  const stats = await lstat(file).catch(() => undefined);
  if (!stats?.isFile() || stats.size > 8 * 1024 * 1024) return undefined;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ContractReport;
  } catch {
    return undefined;
  }
}

export const qaStage: StageWork = async (input) => {
  const { service, tree } = await preparedApp(input);
  try {
    const document = JSON.parse(await readFile(path.join(tree.path, 'openapi.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const script = contractTestsOf(document);
    await writeFile(path.join(tree.path, CONTRACT_TESTS_FILE), script);
    // `npm test` compiles the backend into dist/, which the contract tests start; the smoke test needs the
    // web app built into dist/web too.
    const smokes = (await smokeSkipReason(input)) === undefined;
    const run = await runChecks(service, {
      repositoryPath: input.folder,
      workTree: tree.path,
      commands: ['npm test', `node ${CONTRACT_TESTS_FILE} ${REPORT_FILE}`, ...(smokes ? [WEB_BUILD_COMMAND] : [])],
      signal: input.signal,
    });
    const [unitRun, contractRun, webBuild] = run.results as [
      SandboxCommandResult,
      SandboxCommandResult,
      SandboxCommandResult | undefined,
    ];
    const unit = unitTestReport(unitRun);
    await input.log(
      `unit tests: ${unit.passed ?? '?'} passed, ${unit.failed ?? '?'} failed of ${unit.tests ?? '?'} (exit ${unit.exit_code})`,
    );
    if (unitRun.exit_code !== 0 || !unit.tests) {
      const how = unitRun.exit_code === 0 ? 'ran no test' : `exited ${unitRun.exit_code ?? unitRun.signal}`;
      throw new StageFailedError('tests_failed', `npm test ${how}:\n${unitRun.output_tail.slice(-4000)}`);
    }
    const contract = await readReport(path.join(tree.path, REPORT_FILE));
    if (!contract) {
      throw new StageFailedError(
        'contract_tests_failed',
        `the contract tests wrote no report (exit ${contractRun.exit_code ?? contractRun.signal}):\n` +
          contractRun.output_tail.slice(-4000),
      );
    }
    await input.log(
      `contract tests: ${contract.passed} operations passed, ${contract.failed} failed, ` +
        `${contract.not_implemented} not implemented`,
    );
    if (contract.passed === 0) {
      throw new StageFailedError(
        'contract_tests_failed',
        'no operation passed its contract: the app implements none of its API',
      );
    }
    if (contract.failed > 0 || contract.error !== undefined || contractRun.exit_code !== 0) {
      throw new StageFailedError('contract_tests_failed', contractFailures(contract));
    }
    const smoke = await browserSmokeStep(input, service, tree.path, webBuild);
    if (smoke.report.status === 'failed') {
      throw new StageFailedError('browser_smoke_failed', `the browser smoke test failed: ${smoke.report.reason}`);
    }
    const report = {
      isolation: service.availability.isolation,
      unit_tests: unit,
      contract_tests: { passed: contract.passed, failed: contract.failed, not_implemented: contract.not_implemented },
      browser_smoke_test: {
        status: smoke.report.status,
        ...(smoke.report.reason ? { reason: smoke.report.reason } : {}),
        steps: smoke.report.steps.length,
      },
    };
    const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
    return {
      files: {},
      artifacts: [
        { kind: 'test_report', name: 'test-report.json', mediaType: 'application/json', content: json(report) },
        { kind: 'test_report', name: 'contract-report.json', mediaType: 'application/json', content: json(contract) },
        { kind: 'contract_tests', name: CONTRACT_TESTS_FILE, mediaType: 'text/javascript', content: script },
        ...smoke.artifacts,
      ],
      ...(smoke.note ? { note: smoke.note } : {}),
    };
  } finally {
    await tree.dispose();
  }
};
