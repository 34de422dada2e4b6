import { createWorkTree } from '../../sandbox/work-tree.js';
import { runChecks } from '../../sandbox/run-checks.js';
import { sandboxService } from '../../sandbox/sandbox-service.js';
import { SandboxUnavailableError } from '../../sandbox/isolation/index.js';
import type { SandboxCommandResult } from '../../db/schema.js';
import { headCommit } from '../project-work-tree.js';
import { flutterBuildStep } from './flutter-build.js';
import { installDependencies } from './install-dependencies.js';
import { StageFailedError, type StageInput, type StageWork } from './stage-work.js';

// Stage 8: install, type-check, lint and build the app, from the commit the stages before wrote. The
// install has the network (outside the sandbox, no lifecycle scripts); every command of the app's own
// runs inside the Sandbox, in a throw-away checkout outside lvlup's data folder.

export const BUILD_COMMANDS = ['npm run typecheck', 'npm run lint', 'npm run build'] as const;

const describe = (result: SandboxCommandResult) =>
  `$ ${result.command}\n${result.output_head}${result.truncated ? '\n[…]\n' : ''}${result.output_tail}\n` +
  `[exit ${result.exit_code ?? result.signal ?? '?'}${result.limit ? `, stopped at the ${result.limit} limit` : ''}, ${result.duration_ms} ms]\n`;

/**
 * A checkout of the app with its dependencies installed, for the stages that run it (build, QA). Throws
 * a StageFailedError naming what failed; `dispose` removes the checkout.
 */
export async function preparedApp(input: StageInput) {
  let service;
  try {
    service = await sandboxService(input.config);
  } catch (error) {
    if (error instanceof SandboxUnavailableError) {
      throw new StageFailedError('sandbox_unavailable', `${error.message}; ${error.fix ?? ''}`.trim());
    }
    throw error;
  }
  const tree = await createWorkTree(input.folder, await headCommit(input.folder), service.workRoot);
  try {
    const install = await installDependencies(tree.path, {
      cache: input.config.projectPackageCache,
      signal: input.signal,
    });
    await input.log(`npm install: exit ${install.exitCode} in ${Math.round(install.durationMs)} ms`);
    if (install.exitCode !== 0) {
      throw new StageFailedError(
        'install_failed',
        `npm install exited ${install.exitCode}:\n${install.output.slice(-4000)}`,
      );
    }
    return { service, tree, install };
  } catch (error) {
    await tree.dispose();
    throw error;
  }
}

export const buildStage: StageWork = async (input) => {
  const { service, tree, install } = await preparedApp(input);
  try {
    const run = await runChecks(service, {
      repositoryPath: input.folder,
      workTree: tree.path,
      commands: BUILD_COMMANDS,
      signal: input.signal,
    });
    const flutter = run.passed ? await flutterBuildStep(input, service, tree.path) : undefined;
    const log = [
      `$ npm install\n${install.output}[exit ${install.exitCode}, ${Math.round(install.durationMs)} ms]\n`,
      ...run.results.map(describe),
      ...(flutter ? [flutter.log] : []),
    ].join('\n');
    for (const result of run.results) {
      await input.log(`${result.command}: exit ${result.exit_code ?? result.signal} in ${result.duration_ms} ms`);
    }
    const failed = run.results.find((result) => result.exit_code !== 0);
    if (failed) {
      throw new StageFailedError(
        'build_failed',
        `${failed.command} failed in the sandbox (${service.availability.isolation}):\n${describe(failed).slice(-4000)}`,
      );
    }
    if (flutter?.status === 'failed') {
      throw new StageFailedError('flutter_build_failed', `${flutter.reason}:\n${flutter.log.slice(-4000)}`);
    }
    return {
      files: {},
      artifacts: [{ kind: 'build_log', name: 'build.log', mediaType: 'text/plain; charset=utf-8', content: log }],
      ...(flutter?.status === 'skipped' ? { note: `flutter build skipped: ${flutter.reason}` } : {}),
    };
  } finally {
    await tree.dispose();
  }
};
