import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { SYSTEM_SEARCH_PATH } from '../../sandbox/isolation/index.js';

export interface InstallOutcome {
  readonly exitCode: number;
  readonly output: string;
  readonly durationMs: number;
}

/**
 * `npm install` in a generated app's work tree: the one step of a pipeline with network access, so it runs
 * outside the sandbox, with lifecycle scripts off (no package's code runs here) and an environment of its
 * own (none of lvlup's variables, which hold its secrets). The cache is shared by every project, so the
 * second install of the same pinned dependencies comes from disk.
 */
export async function installDependencies(
  workTree: string,
  options: { cache: string; signal: AbortSignal; timeoutMs?: number },
): Promise<InstallOutcome> {
  await mkdir(options.cache, { recursive: true });
  const nodeFolder = path.dirname(process.execPath);
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      path.join(nodeFolder, 'npm'),
      ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=warn'],
      {
        cwd: workTree,
        signal: options.signal,
        timeout: options.timeoutMs ?? 600_000,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          PATH: `${nodeFolder}:${SYSTEM_SEARCH_PATH}`,
          HOME: options.cache,
          npm_config_cache: options.cache,
          npm_config_update_notifier: 'false',
          NO_COLOR: '1',
        },
      },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ exitCode, output: `${stdout}${stderr}`, durationMs: performance.now() - started });
      },
    );
  });
}
