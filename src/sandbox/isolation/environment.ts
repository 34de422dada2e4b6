import { existsSync } from 'node:fs';
import path from 'node:path';

/** The search path a sandbox gets when the caller names none (tool paths' bin folders go first). */
export const SYSTEM_SEARCH_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The environment of a sandboxed command: a fixed allow-list, nothing inherited from lvlup's own
 * environment (which holds its secrets), then the caller's variables over it.
 */
export function sandboxEnvironment(options: {
  home: string;
  user: string;
  toolPaths: readonly string[];
  extra: Readonly<Record<string, string>> | undefined;
}): Record<string, string> {
  const toolBins = options.toolPaths.map((tool) => path.join(tool, 'bin')).filter((bin) => existsSync(bin));
  const base: Record<string, string> = {
    PATH: [...toolBins, SYSTEM_SEARCH_PATH].join(':'),
    HOME: options.home,
    TMPDIR: options.home,
    USER: options.user,
    LOGNAME: options.user,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    CI: '1',
  };
  const merged = { ...base };
  for (const [name, value] of Object.entries(options.extra ?? {})) {
    if (!NAME.test(name)) throw new TypeError(`sandbox environment variable name ${JSON.stringify(name)} is invalid`);
    if (typeof value !== 'string' || value.includes('\0')) {
      throw new TypeError(`sandbox environment variable ${name} must be a string without NUL`);
    }
    merged[name] = value;
  }
  return merged;
}
