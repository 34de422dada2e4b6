import type { SandboxCommandResult } from '../db/schema.js';
import type { SandboxCommandOutcome, SandboxLimits } from './isolation/index.js';
import type { SandboxService } from './sandbox-service.js';
import { dependencyBinds } from './work-tree.js';

export interface CheckRun {
  readonly results: SandboxCommandResult[];
  readonly passed: boolean;
  /** time spent inside the commands themselves */
  readonly commandsMs: number;
}

/** The environment every check sees (the sandbox adds nothing else from lvlup's own environment). */
function checkEnvironment(searchPath: string): Record<string, string> {
  return {
    PATH: searchPath,
    CI: '1',
    // Tools that would otherwise look for updates or telemetry endpoints on every run.
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_offline: 'true',
    PIP_NO_INDEX: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    NO_COLOR: '1',
  };
}

export function toStoredResult(command: string, outcome: SandboxCommandOutcome): SandboxCommandResult {
  return {
    command,
    exit_code: outcome.exitCode,
    signal: outcome.signal,
    duration_ms: Math.round(outcome.durationMs),
    limit: outcome.limit,
    output_head: outcome.outputHead,
    output_tail: outcome.outputTail,
    output_bytes: outcome.outputBytes,
    truncated: outcome.truncated,
  };
}

/**
 * Runs each command in the work tree, one after the other and all of them (a failing build does not
 * hide how the tests fare), with the repository's dependencies visible read-only.
 */
export async function runChecks(
  service: SandboxService,
  options: {
    repositoryPath: string;
    workTree: string;
    commands: readonly string[];
    limits?: Partial<SandboxLimits> | undefined;
    signal?: AbortSignal | undefined;
  },
): Promise<CheckRun> {
  const readOnlyBinds = await dependencyBinds(options.repositoryPath, options.workTree);
  // The work tree is thrown away after these commands: hand it to the sandbox's account once.
  await service.runner.handOver?.(options.workTree);
  const results: SandboxCommandResult[] = [];
  let commandsMs = 0;
  for (const command of options.commands) {
    options.signal?.throwIfAborted();
    const outcome = await service.runner.run({
      command,
      workTree: options.workTree,
      readOnlyBinds,
      toolPaths: service.toolchains.paths,
      environment: checkEnvironment(service.toolchains.searchPath),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    options.signal?.throwIfAborted();
    commandsMs += outcome.durationMs;
    results.push(toStoredResult(command, outcome));
  }
  return { results, passed: results.every((result) => result.exit_code === 0), commandsMs };
}
