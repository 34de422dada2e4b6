import { accessSync, constants, realpathSync } from 'node:fs';
import path from 'node:path';
import { isWithin } from './paths.js';

/** Folders a bubblewrap sandbox shows, so a helper found there runs inside it too. */
const SYSTEM_BIN_FOLDERS = ['/usr/bin', '/usr/sbin', '/bin', '/sbin'];

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A util-linux helper (`prlimit`, `setpriv`) from the system folders, or undefined. */
export function systemTool(name: string): string | undefined {
  for (const folder of SYSTEM_BIN_FOLDERS) {
    const candidate = path.join(folder, name);
    if (!executable(candidate)) continue;
    try {
      const real = realpathSync(candidate);
      if (['/usr', '/bin', '/sbin'].some((root) => isWithin(real, root))) return candidate;
    } catch {
      // broken link
    }
  }
  return undefined;
}

/** An executable by absolute path, or the first match on lvlup's PATH. */
export function findExecutable(name: string): string | undefined {
  if (path.isAbsolute(name)) return executable(name) ? name : undefined;
  for (const folder of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const candidate = path.join(folder, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}
