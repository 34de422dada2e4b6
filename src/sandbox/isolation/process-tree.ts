import { readdir, readFile } from 'node:fs/promises';

/** One line of /proc/<pid>/stat, the fields the sandbox needs. */
export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly processGroup: number;
  readonly state: string;
  readonly threads: number;
  /** clock ticks after boot: tells a process from a later one with the same pid */
  readonly startTime: number;
}

export type ProcessTable = Map<number, ProcessEntry>;

/** Parses /proc/<pid>/stat; the command name may hold spaces and parentheses, so fields follow its last ')'. */
export function parseProcessStat(text: string): ProcessEntry | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number.parseInt(text, 10);
  // fields after the name start at field 3 (state); index 0 here is field 3.
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  if (fields.length < 20 || !Number.isInteger(pid)) return undefined;
  return {
    pid,
    state: fields[0]!,
    ppid: Number(fields[1]),
    processGroup: Number(fields[2]),
    threads: Number(fields[17]),
    startTime: Number(fields[19]),
  };
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined; // the process ended meanwhile
  }
}

/** Every process of the machine (as far as this pid namespace sees), from /proc. */
export async function readProcessTable(): Promise<ProcessTable> {
  const names = await readdir('/proc');
  const entries = await Promise.all(
    names.filter((name) => /^\d+$/.test(name)).map((name) => readText(`/proc/${name}/stat`)),
  );
  const table: ProcessTable = new Map();
  for (const text of entries) {
    const entry = text === undefined ? undefined : parseProcessStat(text);
    if (entry) table.set(entry.pid, entry);
  }
  return table;
}

/**
 * The processes under `roots` (the roots included when alive), each with its depth below its root.
 * Zombies are left out: they are dead and hold no memory.
 */
export function treeOf(table: ProcessTable, roots: Iterable<number>): Map<number, number> {
  const children = new Map<number, number[]>();
  for (const entry of table.values()) {
    const siblings = children.get(entry.ppid);
    if (siblings) siblings.push(entry.pid);
    else children.set(entry.ppid, [entry.pid]);
  }
  const depths = new Map<number, number>();
  const queue: [number, number][] = [];
  for (const root of roots) if (table.has(root)) queue.push([root, 0]);
  while (queue.length > 0) {
    const [pid, depth] = queue.shift()!;
    if (depths.has(pid)) continue;
    depths.set(pid, depth);
    for (const child of children.get(pid) ?? []) queue.push([child, depth + 1]);
  }
  for (const [pid] of depths) if (table.get(pid)!.state === 'Z') depths.delete(pid);
  return depths;
}

let pageSize: number | undefined;

/** The memory page size, from comparing this process's resident size in pages and in kB. */
async function memoryPageSize(): Promise<number> {
  if (pageSize !== undefined) return pageSize;
  const [statm, status] = await Promise.all([readText('/proc/self/statm'), readText('/proc/self/status')]);
  const pages = Number(statm?.split(' ')[1]);
  const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status ?? '')?.[1]);
  const estimate = (kilobytes * 1024) / pages;
  pageSize = Number.isFinite(estimate) && estimate > 0 ? 2 ** Math.round(Math.log2(estimate)) : 4096;
  return pageSize;
}

/** Private resident memory of a process (resident minus file-backed and shared pages), in bytes. */
export async function privateResidentBytes(pid: number): Promise<number> {
  const [text, size] = await Promise.all([readText(`/proc/${pid}/statm`), memoryPageSize()]);
  if (!text) return 0;
  const [, resident, shared] = text.split(' ').map(Number);
  if (resident === undefined || shared === undefined || !(resident >= shared)) return 0;
  return (resident - shared) * size;
}

/** Sends a signal, ignoring processes that are already gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: gone already; EPERM cannot happen for our own descendants
  }
}
