import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as delay } from 'node:timers/promises';
import type { Readable, Writable } from 'node:stream';
import type { ResolvedSandboxLimits } from './limits.js';
import { OutputCapture } from './output-capture.js';
import { privateResidentBytes, readProcessTable, signalProcess, treeOf, type ProcessTable } from './process-tree.js';
import type { SandboxCommandOutcome, SandboxIsolation, SandboxLimitName } from './types.js';

/** How often the tree's processes and memory are counted. */
const WATCH_INTERVAL_MS = 100;
/** How long killing a tree may take before giving up on stragglers (they are reported by the caller's checks). */
const KILL_DEADLINE_MS = 5000;
/** How long output pipes may stay open after the tree is gone (a writer that escaped the tree). */
const PIPE_GRACE_MS = 1000;
/** Exit status of a shell whose command was killed by SIGXCPU (RLIMIT_CPU). */
const SIGXCPU_STATUS = 128 + 24;

export interface SupervisedSpawn {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** data written to the child's descriptors 3, 4, … (bubblewrap reads generated files from them) */
  readonly inputs?: readonly string[];
  readonly limits: ResolvedSandboxLimits;
  /** generations of wrapper processes below the spawned one that are not the command (bubblewrap: 2) */
  readonly wrapperGenerations: number;
  readonly isolation: SandboxIsolation;
  readonly signal?: AbortSignal;
  readonly onOutput?: (chunk: string) => void;
}

function waitForSpawn(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
}

/**
 * Runs one process tree to its end under the limits: spawned in its own process group, watched from
 * /proc (tasks and private memory of every descendant, also those that left the group), killed as a
 * whole at the first limit reached or on abort, and swept for stragglers after it ends.
 */
export async function superviseCommand(spec: SupervisedSpawn): Promise<SandboxCommandOutcome> {
  const { limits } = spec;
  const inputs = spec.inputs ?? [];
  const started = performance.now();
  const child = spawn(spec.file, [...spec.args], {
    cwd: spec.cwd,
    env: { ...spec.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', ...inputs.map(() => 'pipe' as const)],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await waitForSpawn(child);
  const rootPid = child.pid!;
  inputs.forEach((data, index) => {
    const pipe = child.stdio[3 + index] as Writable;
    pipe.on('error', () => undefined);
    pipe.end(data);
  });

  let limit: SandboxLimitName | null = null;
  let aborted = false;
  let ended = false;
  let peakMemoryBytes = 0;
  let peakProcesses = 0;
  /** every process seen in the tree, with its start time: found again after it leaves the tree */
  const seen = new Map<number, number>();

  const membersOf = (table: ProcessTable, withWrappers: boolean): number[] => {
    const root = table.get(rootPid);
    if (root && !seen.has(rootPid)) seen.set(rootPid, root.startTime);
    const main = root && seen.get(rootPid) === root.startTime ? treeOf(table, [rootPid]) : new Map<number, number>();
    const strays = [...seen]
      .filter(([pid, startTime]) => !main.has(pid) && table.get(pid)?.startTime === startTime)
      .map(([pid]) => pid);
    const members = [...main]
      .filter(([, depth]) => withWrappers || depth >= spec.wrapperGenerations)
      .map(([pid]) => pid);
    // Processes whose parent ended were adopted outside the tree; they stay in the process group.
    for (const entry of table.values()) {
      if (entry.processGroup === rootPid && entry.pid !== rootPid && !main.has(entry.pid) && entry.state !== 'Z') {
        strays.push(entry.pid);
      }
    }
    for (const pid of treeOf(table, strays).keys()) if (!main.has(pid) && !members.includes(pid)) members.push(pid);
    for (const pid of members) if (!seen.has(pid)) seen.set(pid, table.get(pid)!.startTime);
    return members;
  };

  let killing: Promise<void> | undefined;
  /** tasks of the command's tree (wrappers left out) */
  const tasksIn = (table: ProcessTable, members: readonly number[]): number =>
    members.reduce((sum, pid) => sum + (table.get(pid)?.threads ?? 0), 0);
  const killTree = async (): Promise<void> => {
    const deadline = performance.now() + KILL_DEADLINE_MS;
    if (ended && limit === null && !aborted) {
      // The command ended with its tree at the processes limit: refused forks are what ended it.
      const table = await readProcessTable();
      if (tasksIn(table, membersOf(table, false)) >= limits.processes) limit = 'processes';
    }
    for (;;) {
      // The group first: one signal reaches every member at once, even while a fork bomb runs.
      signalProcess(-rootPid, 'SIGKILL');
      const table = await readProcessTable();
      const members = membersOf(table, true);
      if (members.length === 0 || performance.now() > deadline) return;
      for (const pid of members) signalProcess(pid, 'SIGKILL');
      await delay(10);
    }
  };
  const terminate = (reason: SandboxLimitName | null): void => {
    if (reason !== null && limit === null && !aborted) limit = reason;
    killing ??= killTree();
  };

  const capture = new OutputCapture(limits.outputBytes);
  const readStream = (stream: Readable): Promise<void> => {
    const decoder = new StringDecoder('utf8');
    const emit = (text: string): void => {
      if (text.length === 0 || !spec.onOutput) return;
      try {
        spec.onOutput(text);
      } catch {
        // a failing listener must not break the run
      }
    };
    stream.on('data', (chunk: Buffer) => {
      const accepted = capture.push(chunk);
      if (accepted.length > 0) emit(decoder.write(accepted));
      if (capture.exceeded) terminate('output');
    });
    return new Promise((resolve) => {
      stream.once('close', () => {
        emit(decoder.end());
        resolve();
      });
    });
  };
  const pipesClosed = Promise.all([readStream(child.stdout!), readStream(child.stderr!)]);

  const wallTimer = setTimeout(() => terminate('time'), limits.wallTimeMs);
  let watching = false;
  const watch = async (): Promise<void> => {
    if (watching || ended || killing) return;
    watching = true;
    try {
      const table = await readProcessTable();
      if (ended || killing) return;
      const members = membersOf(table, false);
      const tasks = tasksIn(table, members);
      const sizes = await Promise.all(members.map((pid) => privateResidentBytes(pid)));
      const memory = sizes.reduce((sum, size) => sum + size, 0);
      peakProcesses = Math.max(peakProcesses, tasks);
      peakMemoryBytes = Math.max(peakMemoryBytes, memory);
      if (ended || killing) return;
      if (tasks >= limits.processes) terminate('processes');
      else if (memory > limits.memoryBytes) terminate('memory');
    } catch {
      // /proc unreadable for a moment: the next tick tries again
    } finally {
      watching = false;
    }
  };
  const watchTimer = setInterval(() => void watch(), WATCH_INTERVAL_MS);
  void watch();

  const onAbort = (): void => {
    if (limit === null) aborted = true;
    terminate(null);
  };
  if (spec.signal?.aborted) onAbort();
  else spec.signal?.addEventListener('abort', onAbort, { once: true });

  const exit = await exited;
  const durationMs = performance.now() - started;
  clearTimeout(wallTimer);
  clearInterval(watchTimer);
  spec.signal?.removeEventListener('abort', onAbort);
  // The command has ended: whatever it left running in the background goes too.
  if (killing) await killing;
  ended = true;
  await killTree();
  const grace = delay(PIPE_GRACE_MS, 'timeout' as const);
  if ((await Promise.race([pipesClosed, grace])) === 'timeout') {
    child.stdout!.destroy();
    child.stderr!.destroy();
  }

  if (limit === null && !aborted && (exit.signal === 'SIGXCPU' || exit.code === SIGXCPU_STATUS)) limit = 'time';
  const output = capture.result();
  return {
    exitCode: exit.code,
    signal: exit.signal,
    durationMs,
    limit,
    outputHead: output.head,
    outputTail: output.tail,
    outputBytes: output.bytes,
    truncated: output.truncated,
    isolation: spec.isolation,
    aborted,
    peakMemoryBytes,
    peakProcesses,
  };
}
