import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { create as createTar } from 'tar';
import type { Config } from '../../config/config.js';
import type { Database } from '../../db/database.js';
import { dumpDatabase } from '../../db/logical-backup.js';
import { version } from '../../version.js';
import {
  BACKED_UP_FOLDERS,
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  type BackupManifest,
  migrationTags,
} from './manifest.js';

export interface BackupSummary {
  readonly manifest: BackupManifest;
  readonly bytes: number;
}

/**
 * Writes a backup to `output`: a gzipped tar of `manifest.json`, `database/<table>.jsonl` (one snapshot of
 * every table, see dumpDatabase) and `files/repositories/…`, `files/projects/…` (the data folder's git
 * repositories as they are when copied). It is assembled beside `output` and renamed onto it when whole,
 * so a failed or interrupted backup never leaves a file that looks like one.
 */
export async function createBackup(
  database: Database,
  config: Pick<Config, 'dataDirectory'>,
  output: string,
  now: () => Date = () => new Date(),
): Promise<BackupSummary> {
  const partial = `${output}.partial-${randomUUID()}`;
  const staging = `${partial}.d`;
  await mkdir(path.join(staging, 'database'), { recursive: true });
  try {
    const dump = await dumpDatabase(database, path.join(staging, 'database'));
    const folders = BACKED_UP_FOLDERS.filter((folder) => existsSync(path.join(config.dataDirectory, folder)));
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      lvlupVersion: version,
      createdAt: now().toISOString(),
      database: { kind: database.kind, migrations: migrationTags(dump.migrations), tables: dump.tables },
      dataDirectory: config.dataDirectory,
      folders,
    };
    await writeFile(path.join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const entries = ['manifest.json', 'database'];
    if (folders.length > 0) {
      // Two folders (staging and the data folder) go into one archive: the files are packed on their own
      // under `files/`, and that archive's entries are appended to the main one (tar's `@archive`).
      await createTar(
        {
          file: path.join(staging, 'files.tar'),
          cwd: config.dataDirectory,
          prefix: 'files',
          portable: true,
          // git hooks are code git runs; lvlup installs none, and a backup carries none
          filter: (entryPath) => !/(^|\/)\.git\/hooks\//.test(entryPath),
        },
        [...folders],
      );
      entries.push('@files.tar');
    }
    createTar({ gzip: true, file: partial, cwd: staging, portable: true, sync: true }, entries);
    await rename(partial, output);
    return { manifest, bytes: (await stat(output)).size };
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
}
