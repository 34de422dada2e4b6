import { realpath, stat } from 'node:fs/promises';
import type { HostPath } from './bwrap-arguments.js';
import { resolveLimits, type ResolvedSandboxLimits } from './limits.js';
import { absolutePath, isWithin } from './paths.js';
import type { SandboxCommand } from './types.js';

/** A command checked and with its paths normalised. */
export interface CheckedCommand {
  readonly command: string;
  readonly workTree: string;
  readonly readOnlyBinds: readonly { source: string; target: string; directory: boolean }[];
  readonly toolPaths: readonly string[];
  readonly limits: ResolvedSandboxLimits;
}

async function statOrUndefined(file: string) {
  try {
    return await stat(file);
  } catch {
    return undefined;
  }
}

/**
 * The existing paths among `paths`, each also under its real path when a symbolic link leads to it
 * (hidden paths that do not exist need no cover). Looked up at every run: a folder created after
 * start-up is hidden too.
 */
export async function existingHostPaths(paths: readonly string[]): Promise<HostPath[]> {
  const found = new Map<string, HostPath>();
  for (const value of paths) {
    const file = absolutePath(value, 'hidden path');
    const stats = await statOrUndefined(file);
    if (!stats) continue;
    found.set(file, { path: file, directory: stats.isDirectory() });
    const real = await realpath(file).catch(() => file);
    found.set(real, { path: real, directory: stats.isDirectory() });
  }
  return [...found.values()];
}

/** Folders a work tree may not be, nor lie above: it is bound writable (and, as root, lent out). */
const PROTECTED_FOLDERS = [
  '/',
  '/usr',
  '/etc',
  '/bin',
  '/sbin',
  '/lib',
  '/lib64',
  '/opt',
  '/var',
  '/proc',
  '/dev',
  '/sys',
  '/boot',
  '/root',
  '/home',
  '/tmp',
  '/run',
];

/**
 * Validates a command: absolute paths, an existing work tree folder, existing bind sources, limits.
 * Tool paths that do not exist are dropped, and so are those inside a hidden path (hidden wins).
 */
export async function checkCommand(input: SandboxCommand, hidden: readonly HostPath[]): Promise<CheckedCommand> {
  if (typeof input.command !== 'string' || input.command.trim() === '' || input.command.includes('\0')) {
    throw new TypeError('sandbox command must be a non-empty string without NUL');
  }
  const workTree = absolutePath(input.workTree, 'workTree');
  if (PROTECTED_FOLDERS.some((folder) => isWithin(folder, workTree))) {
    throw new TypeError(`work tree ${workTree} would make system folders writable`);
  }
  if (!(await statOrUndefined(workTree))?.isDirectory()) throw new TypeError(`work tree ${workTree} is not a folder`);
  const readOnlyBinds = [];
  for (const bind of input.readOnlyBinds ?? []) {
    const source = absolutePath(bind.source, 'read-only bind source');
    const target = absolutePath(bind.target, 'read-only bind target');
    const stats = await statOrUndefined(source);
    if (!stats) throw new TypeError(`read-only bind source ${source} does not exist`);
    readOnlyBinds.push({ source, target, directory: stats.isDirectory() });
  }
  const toolPaths: string[] = [];
  for (const tool of input.toolPaths ?? []) {
    const file = absolutePath(tool, 'tool path');
    if (hidden.some((entry) => isWithin(file, entry.path))) continue;
    if (await statOrUndefined(file)) toolPaths.push(file);
  }
  return { command: input.command, workTree, readOnlyBinds, toolPaths, limits: resolveLimits(input.limits) };
}
