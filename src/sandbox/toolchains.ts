import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, realpath } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Folders a sandbox already shows: tools installed there need no bind of their own. */
const SYSTEM_PREFIXES = ['/usr/', '/bin/', '/sbin/', '/lib/', '/lib64/', '/opt/'];

export interface Toolchains {
  /** installation folders outside the system folders, shown read-only inside the sandbox */
  readonly paths: string[];
  /** PATH inside the sandbox: those installations' bin folders first, then the system's */
  readonly searchPath: string;
}

/** The first executable named `command` on lvlup's own PATH (no shell involved). */
async function findOnPath(command: string): Promise<string | undefined> {
  for (const folder of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!folder) continue;
    const candidate = path.join(folder, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

async function installationOf(
  command: string,
  prefixQuery: readonly string[] | undefined,
): Promise<string | undefined> {
  try {
    if (prefixQuery) {
      // pyenv and similar put a shim first on PATH; the interpreter knows where it really lives.
      const { stdout } = await run(command, [...prefixQuery], { timeout: 10_000 });
      return stdout.trim() || undefined;
    }
    const binary = await findOnPath(command);
    return binary === undefined ? undefined : path.dirname(path.dirname(await realpath(binary)));
  } catch {
    return undefined;
  }
}

/**
 * Finds the toolchains lvlup's own machine runs checks with (Node.js, Python) when they live outside
 * the system folders, e.g. under a version manager in a home folder. Only those installation folders
 * are shown to the sandbox — never the rest of the home folder.
 */
export async function findToolchains(): Promise<Toolchains> {
  const found = await Promise.all([
    installationOf('node', undefined),
    installationOf('python3', ['-c', 'import sys; print(sys.base_prefix)']),
  ]);
  const paths = [
    ...new Set(
      found.filter(
        (prefix): prefix is string =>
          prefix !== undefined && prefix !== '/' && !SYSTEM_PREFIXES.some((system) => `${prefix}/`.startsWith(system)),
      ),
    ),
  ];
  const searchPath = [...paths.map((prefix) => path.join(prefix, 'bin')), '/usr/local/bin', '/usr/bin', '/bin'].join(
    ':',
  );
  return { paths, searchPath };
}
