import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { bwrapFeatures } from './bwrap-arguments.js';
import { BwrapSandboxRunner, type BwrapRunnerSetup } from './bwrap-runner.js';
import { existingHostPaths } from './command-input.js';
import { SandboxUnavailableError } from './errors.js';
import { findExecutable, systemTool } from './host-tools.js';
import { ProcessSandboxRunner } from './process-runner.js';
import { sandboxAccount } from './sandbox-account.js';
import type { CreateSandboxRunnerOptions, SandboxAvailability, SandboxRunner } from './types.js';

const run = promisify(execFile);
const PROBE_MARKER = 'lvlup-sandbox-probe';

type Probe = { ok: true; runner: BwrapSandboxRunner } | { ok: false; reason: string };

/** A first line of text, shortened for a reason string. */
function excerpt(text: string): string {
  const line = text.trim().split('\n').find(Boolean) ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Builds a bubblewrap runner and runs one command in it, in a throw-away work tree. */
async function probeBwrap(
  options: CreateSandboxRunnerOptions,
  common: Omit<BwrapRunnerSetup, 'bwrapPath' | 'features'>,
): Promise<Probe> {
  const bwrapPath =
    findExecutable(options.bwrapPath ?? 'bwrap') ?? (options.bwrapPath ? undefined : findExecutable('/usr/bin/bwrap'));
  if (!bwrapPath) return { ok: false, reason: `bubblewrap not found (${options.bwrapPath ?? 'bwrap on PATH'})` };
  if (common.account.switchTo && !common.setprivPath) {
    return { ok: false, reason: 'setpriv (util-linux) not found: needed to run commands unprivileged' };
  }
  let help: string;
  try {
    help = (await run(bwrapPath, ['--help'], { timeout: 10_000 })).stdout;
  } catch (error) {
    return { ok: false, reason: `bubblewrap (${bwrapPath}) does not start: ${(error as Error).message}` };
  }
  const runner = new BwrapSandboxRunner({ ...common, bwrapPath, features: bwrapFeatures(help) });
  const workTree = await mkdtemp(path.join(os.tmpdir(), 'lvlup-sandbox-probe-'));
  try {
    const outcome = await runner.run({
      command: `echo ${PROBE_MARKER}`,
      workTree,
      limits: { wallTimeMs: 30_000 },
    });
    const output = outcome.outputHead + outcome.outputTail;
    if (outcome.exitCode === 0 && output.includes(PROBE_MARKER)) return { ok: true, runner };
    return {
      ok: false,
      reason: `bubblewrap (${bwrapPath}) failed to run a probe: ${excerpt(output) || `exit ${outcome.exitCode ?? outcome.signal}`}`,
    };
  } catch (error) {
    return { ok: false, reason: `bubblewrap (${bwrapPath}) failed to run a probe: ${(error as Error).message}` };
  } finally {
    await rm(workTree, { recursive: true, force: true });
  }
}

/** What an operator can do when bubblewrap cannot be used. */
export const BWRAP_FIX =
  'install bubblewrap (apt-get install bubblewrap) where it can create user namespaces, ' +
  'or set SANDBOX_MODE=process to accept unisolated runs';

/**
 * The sandbox runner for a mode setting. `auto` and `bwrap`: bubblewrap when a probe run succeeds,
 * otherwise SandboxUnavailableError with the reason and the fix (nothing runs unisolated unless chosen);
 * `process`: process mode, only as asked for explicitly, and never as root (setpriv must be there to
 * switch to the unprivileged account).
 */
export async function createSandboxRunner(
  options: CreateSandboxRunnerOptions,
): Promise<{ runner: SandboxRunner; availability: SandboxAvailability }> {
  const account = sandboxAccount(options);
  const hiddenPaths = [...(options.hiddenPaths ?? [])];
  await existingHostPaths(hiddenPaths); // validates them now
  const prlimitPath = systemTool('prlimit');
  const setprivPath = systemTool('setpriv');
  if (!prlimitPath) {
    const reason = 'prlimit (util-linux) not found: no rlimits can be applied';
    throw new SandboxUnavailableError(reason, 'install util-linux');
  }
  const common = { prlimitPath, setprivPath, account, hiddenPaths };
  if (options.mode === 'process') {
    if (account.switchTo && !setprivPath) {
      throw new SandboxUnavailableError(
        'setpriv (util-linux) not found: process mode never runs commands as root and cannot switch account',
        'install util-linux, or run lvlup as an unprivileged user',
      );
    }
    return {
      runner: new ProcessSandboxRunner(common),
      availability: { mode: 'process', isolation: 'none', reason: 'SANDBOX_MODE is process' },
    };
  }
  const probe = await probeBwrap(options, common);
  if (probe.ok) return { runner: probe.runner, availability: { mode: 'bwrap', isolation: 'bwrap' } };
  throw new SandboxUnavailableError(probe.reason, BWRAP_FIX);
}
