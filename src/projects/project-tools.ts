import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/config.js';

// The programs outside the sandbox's toolchains that some pipeline steps need: Chromium for the QA stage's
// browser smoke test (CHROMIUM_PATH) and Flutter for the `flutter` target's build (FLUTTER_PATH). A missing
// one makes its step end `skipped` with the reason below, and readiness shows the same reason.

export interface ToolStatus {
  readonly available: boolean;
  /** the executable found, or the path that was looked at */
  readonly path: string | null;
  /** why the tool is not available */
  readonly reason?: string;
}

async function executable(file: string): Promise<string | undefined> {
  const stats = await stat(file).catch(() => undefined);
  if (!stats) return `${file} does not exist`;
  if (!stats.isFile()) return `${file} is not a file`;
  return (await access(file, constants.X_OK).then(
    () => true,
    () => false,
  ))
    ? undefined
    : `${file} is not executable`;
}

export async function chromiumStatus(config: Pick<Config, 'chromiumPath'>): Promise<ToolStatus> {
  const problem = await executable(config.chromiumPath);
  return problem
    ? { available: false, path: config.chromiumPath, reason: `Chromium is unavailable: ${problem} (CHROMIUM_PATH)` }
    : { available: true, path: config.chromiumPath };
}

/** FLUTTER_PATH names the SDK's folder or its `bin/flutter`. */
export async function flutterStatus(config: Pick<Config, 'flutterPath'>): Promise<ToolStatus> {
  if (config.flutterPath === undefined) {
    return { available: false, path: null, reason: 'FLUTTER_PATH is not set: no Flutter toolchain to build with' };
  }
  const folder = await stat(config.flutterPath).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
  const binary = folder ? path.join(config.flutterPath, 'bin', 'flutter') : config.flutterPath;
  const problem = await executable(binary);
  return problem
    ? { available: false, path: binary, reason: `Flutter is unavailable: ${problem} (FLUTTER_PATH)` }
    : { available: true, path: binary };
}
