/** What a sandboxed command runs inside: bubblewrap, or nothing but rlimits and a timeout. */
export type SandboxIsolation = 'bwrap' | 'none';

/** Which limit stopped a command (`null`: none did — it ended by itself or was aborted). */
export type SandboxLimitName = 'time' | 'output' | 'memory' | 'processes';

export interface SandboxLimits {
  /** wall-clock time; at the limit the whole process tree is killed → limit `time` */
  wallTimeMs: number;
  /** CPU seconds per process (RLIMIT_CPU); a process killed by SIGXCPU is reported as limit `time` */
  cpuSeconds: number;
  /**
   * memory: RLIMIT_DATA per process (a little above this, so that one oversized allocation fails at
   * once) and the private resident memory of the whole tree, watched from /proc → limit `memory`
   */
  memoryBytes: number;
  /** tasks (processes and threads, as the kernel counts them): RLIMIT_NPROC and the tree watch → `processes` */
  processes: number;
  /** combined stdout + stderr; beyond it the tree is killed → limit `output` */
  outputBytes: number;
  /** largest file a process may write (RLIMIT_FSIZE); default 1 GiB */
  fileSizeBytes?: number;
  /** size of the private /tmp (and /dev/shm) under bubblewrap; default 1 GiB */
  tmpBytes?: number;
}

/** A host path shown read-only at `target` (absolute paths; target usually inside the work tree). */
export interface ReadOnlyBind {
  source: string;
  target: string;
}

export interface SandboxCommand {
  /** run with `/bin/sh -c` inside the sandbox, in the work tree */
  command: string;
  /** absolute; the only writable path besides a private /tmp */
  workTree: string;
  readOnlyBinds?: readonly ReadOnlyBind[];
  /** extra absolute paths made visible read-only at the same location (e.g. a language toolchain) */
  toolPaths?: readonly string[];
  /** merged over the allow-listed base environment */
  environment?: Readonly<Record<string, string>>;
  limits?: Partial<SandboxLimits>;
  /** abort → the tree is killed and the outcome returned (limit null, signal set, aborted true) */
  signal?: AbortSignal;
  /** streaming of the combined output as it arrives (UTF-8 decoded per stream; stops at the output limit) */
  onOutput?: (chunk: string) => void;
}

export interface SandboxCommandOutcome {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  limit: SandboxLimitName | null;
  /** the first 32 KiB of the combined output */
  outputHead: string;
  /** the last 32 KiB after the head (together the whole output when not truncated) */
  outputTail: string;
  /** bytes the command wrote to stdout + stderr (counted up to the kill) */
  outputBytes: number;
  /** whether output is missing between head and tail, or was cut off at the output limit */
  truncated: boolean;
  isolation: SandboxIsolation;
  /** the run was stopped through `signal` */
  aborted?: boolean;
  /** the largest private resident memory of the tree seen while it ran, in bytes */
  peakMemoryBytes?: number;
  /** the most tasks (processes + threads) of the tree seen while it ran */
  peakProcesses?: number;
}

export interface SandboxRunner {
  readonly isolation: SandboxIsolation;
  readonly mode: 'bwrap' | 'process';
  run(command: SandboxCommand): Promise<SandboxCommandOutcome>;
  /**
   * Optional: gives a throw-away work tree to the account commands run as, once, before several commands
   * run in it (otherwise each run lends it and takes it back). Only for trees that are removed afterwards.
   */
  handOver?(workTree: string): Promise<void>;
}

export interface SandboxAvailability {
  mode: 'bwrap' | 'process';
  isolation: SandboxIsolation;
  /** why the mode is not `bwrap` (or what the probe said) */
  reason?: string;
}

export type SandboxModeSetting = 'auto' | 'bwrap' | 'process';

export interface CreateSandboxRunnerOptions {
  mode: SandboxModeSetting;
  /** the bubblewrap binary; default: `bwrap` on PATH, then /usr/bin/bwrap */
  bwrapPath?: string;
  /** e.g. lvlup's data folder: never visible inside the sandbox, even under a bound path */
  hiddenPaths?: readonly string[];
  /** the unprivileged account commands run as when lvlup runs as root; default 65534 (nobody) */
  sandboxUid?: number;
  sandboxGid?: number;
}
