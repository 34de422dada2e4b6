import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { FLUTTER_FOLDER } from '../../generation/flutter/flutter-client.js';
import { SYSTEM_SEARCH_PATH } from '../../sandbox/isolation/index.js';
import type { SandboxService } from '../../sandbox/sandbox-service.js';
import { flutterStatus } from '../project-tools.js';
import type { StageInput } from './stage-work.js';

// The build stage's Flutter step (`flutter` target): `flutter pub get` fetches the client's packages (the
// one part with network, outside the sandbox, like `npm install`), then `flutter analyze` and `flutter build
// web` run in the Sandbox with the SDK and the package cache visible read-only. Without a toolchain at
// FLUTTER_PATH the step ends `skipped`, saying so.

export interface FlutterStepOutcome {
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly reason?: string;
  readonly log: string;
}

function pubGet(flutter: string, folder: string, cache: string, signal: AbortSignal) {
  return new Promise<{ exitCode: number; output: string }>((resolve) => {
    execFile(
      flutter,
      ['pub', 'get'],
      {
        cwd: folder,
        signal,
        timeout: 600_000,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          PATH: `${path.dirname(flutter)}:${SYSTEM_SEARCH_PATH}`,
          HOME: cache,
          PUB_CACHE: cache,
          FLUTTER_SUPPRESS_ANALYTICS: 'true',
          NO_COLOR: '1',
        },
      },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ exitCode, output: `${stdout}${stderr}` });
      },
    );
  });
}

export async function flutterBuildStep(
  input: Pick<StageInput, 'project' | 'config' | 'signal' | 'log'>,
  service: SandboxService,
  workTree: string,
): Promise<FlutterStepOutcome | undefined> {
  if (!input.project.targets.includes('flutter')) return undefined;
  const folder = path.join(workTree, FLUTTER_FOLDER);
  if (!existsSync(path.join(folder, 'pubspec.yaml'))) {
    return {
      status: 'failed',
      reason: `the flutter target's client is missing: no ${FLUTTER_FOLDER}/pubspec.yaml`,
      log: '',
    };
  }
  const flutter = await flutterStatus(input.config);
  if (!flutter.available || flutter.path === null) {
    const reason = flutter.reason ?? 'no Flutter toolchain';
    await input.log(`flutter build skipped: ${reason}`);
    return { status: 'skipped', reason, log: `flutter build skipped: ${reason}\n` };
  }
  const sdk = path.dirname(path.dirname(flutter.path));
  const cache = path.join(input.config.projectPackageCache, 'pub');
  await mkdir(cache, { recursive: true });
  const fetched = await pubGet(flutter.path, folder, cache, input.signal);
  let log = `$ flutter pub get\n${fetched.output}[exit ${fetched.exitCode}]\n`;
  if (fetched.exitCode !== 0) return { status: 'failed', reason: `flutter pub get exited ${fetched.exitCode}`, log };
  const outcome = await service.runner.run({
    command: `cd ${FLUTTER_FOLDER} && flutter analyze && flutter build web`,
    workTree,
    toolPaths: [...service.toolchains.paths, sdk, cache],
    environment: {
      PATH: `${path.join(sdk, 'bin')}:${service.toolchains.searchPath}`,
      PUB_CACHE: cache,
      FLUTTER_SUPPRESS_ANALYTICS: 'true',
      NO_COLOR: '1',
    },
    signal: input.signal,
  });
  log += `$ flutter analyze && flutter build web\n${outcome.outputHead}${outcome.truncated ? '\n[…]\n' : ''}${outcome.outputTail}[exit ${outcome.exitCode ?? outcome.signal}]\n`;
  await input.log(`flutter analyze && flutter build web: exit ${outcome.exitCode ?? outcome.signal}`);
  return outcome.exitCode === 0
    ? { status: 'passed', log }
    : { status: 'failed', reason: `flutter analyze or build failed (exit ${outcome.exitCode ?? outcome.signal})`, log };
}
