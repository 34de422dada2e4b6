import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

/**
 * The process environment over the variables of `.env` in the working directory: a variable set in the
 * environment always wins, so `.env` holds defaults for one machine and never overrides a deployment.
 */
export function readEnvironment(
  processEnvironment: NodeJS.ProcessEnv = process.env,
  workingDirectory = process.cwd(),
): Record<string, string | undefined> {
  let fileEnvironment: Record<string, string> = {};
  try {
    fileEnvironment = parseEnv(readFileSync(path.join(workingDirectory, '.env'), 'utf8')) as Record<string, string>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { ...fileEnvironment, ...processEnvironment };
}
