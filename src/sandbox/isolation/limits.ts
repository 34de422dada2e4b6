import type { SandboxLimits } from './types.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  wallTimeMs: 10 * 60 * 1000,
  cpuSeconds: 600,
  memoryBytes: 2 * GiB,
  processes: 256,
  outputBytes: 8 * MiB,
  fileSizeBytes: GiB,
  tmpBytes: GiB,
};

/** Limits with every field set. */
export type ResolvedSandboxLimits = Required<SandboxLimits>;

const MINIMUMS: Record<keyof SandboxLimits, number> = {
  wallTimeMs: 1,
  cpuSeconds: 1,
  memoryBytes: 16 * MiB,
  processes: 4,
  outputBytes: 1,
  fileSizeBytes: 1,
  tmpBytes: MiB,
};

/** Defaults overridden by `limits`; throws a RangeError for a missing, non-integer or too small value. */
export function resolveLimits(limits: Partial<SandboxLimits> | undefined): ResolvedSandboxLimits {
  const resolved = { ...DEFAULT_SANDBOX_LIMITS, ...limits } as ResolvedSandboxLimits;
  for (const key of Object.keys(MINIMUMS) as (keyof SandboxLimits)[]) {
    const value = resolved[key] ?? DEFAULT_SANDBOX_LIMITS[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < MINIMUMS[key]) {
      throw new RangeError(`sandbox limit ${key} must be an integer of at least ${MINIMUMS[key]}`);
    }
    resolved[key] = value;
  }
  return resolved;
}

/**
 * RLIMIT_DATA for each process: above the tree's memory limit, so that gradual growth is stopped by
 * the tree watch (reported as limit `memory`) while one allocation far beyond it fails at once.
 */
export function dataLimitBytes(limits: ResolvedSandboxLimits): number {
  return limits.memoryBytes + Math.max(64 * MiB, Math.floor(limits.memoryBytes / 4));
}

/**
 * RLIMIT_NPROC above the processes limit: the tree watch kills the tree when it reaches the limit
 * (reported as `processes`), and the kernel refuses forks a little later in case the watch is late.
 */
export function processesHeadroom(limits: ResolvedSandboxLimits): number {
  return Math.max(16, Math.ceil(limits.processes / 4));
}

/**
 * The `prlimit` arguments (util-linux) that apply the per-process limits to the command it runs.
 * `processes` is the RLIMIT_NPROC value, which the caller may raise above the limit when the count is
 * shared with other processes of the same account.
 */
export function prlimitArguments(limits: ResolvedSandboxLimits, processes: number): string[] {
  return [
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
    `--data=${dataLimitBytes(limits)}`,
    `--nproc=${processes}`,
    `--fsize=${limits.fileSizeBytes}`,
    '--core=0',
  ];
}
