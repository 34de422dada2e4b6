import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class DataDirectoryLockedError extends Error {
  readonly code = 'data_directory_locked';
  constructor(
    readonly directory: string,
    readonly holderPid: number,
  ) {
    super(
      `The data folder ${directory} is in use by another lvlup process (pid ${holderPid}). ` +
        'The embedded database supports one process per folder: stop that process, point LVLUP_DATA_DIR at ' +
        'another folder, or use DATABASE_URL with a PostgreSQL server to run several processes.',
    );
    this.name = 'DataDirectoryLockedError';
  }
}

export interface DataDirectoryLock {
  release(): void;
}

interface LockContent {
  pid: number;
  hostname: string;
  token: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockContent | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockContent;
  } catch {
    return undefined;
  }
}

/**
 * Takes the data folder for this process, or throws DataDirectoryLockedError at once.
 *
 * PGlite opens a folder that another process has open without any error and the two then overwrite each
 * other's pages, silently losing writes; this lock is the only thing that prevents it. The lock is a file
 * created with O_EXCL holding our pid. A lock left by a process that died (kill -9, power loss) names a
 * pid that is no longer alive on this host and is taken over: it is renamed aside first, because rename
 * is atomic and only one of two processes racing for a stale lock can move it; the loser retries and then
 * finds the winner's live pid. A lock from another host (a shared network folder) is never taken over.
 */
export function lockDataDirectory(directory: string): DataDirectoryLock {
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, 'lvlup.lock');
  const content: LockContent = { pid: process.pid, hostname: os.hostname(), token: randomUUID() };

  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      writeFileSync(file, JSON.stringify(content), { flag: 'wx' });
      const release = () => {
        if (readLock(file)?.token === content.token) rmSync(file, { force: true });
        process.removeListener('exit', release);
      };
      process.on('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLock(file);
    if (holder && (holder.hostname !== os.hostname() || isAlive(holder.pid))) {
      throw new DataDirectoryLockedError(directory, holder.pid);
    }
    // Either a dead holder or a file caught half-written; move it aside and try again.
    const aside = `${file}.stale-${randomUUID()}`;
    try {
      renameSync(file, aside);
      unlinkSync(aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new DataDirectoryLockedError(directory, readLock(file)?.pid ?? -1);
}

/** Who holds the data folder's lock, as `lvlup doctor` reports it; undefined when nobody does. */
export function dataDirectoryLockHolder(
  directory: string,
): { pid: number; hostname: string; alive: boolean | undefined } | undefined {
  const holder = readLock(path.join(directory, 'lvlup.lock'));
  if (!holder) return undefined;
  // A pid on another host cannot be checked from here.
  return { ...holder, alive: holder.hostname === os.hostname() ? isAlive(holder.pid) : undefined };
}
