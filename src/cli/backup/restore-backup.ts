import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { extract } from 'tar';
import type { Config } from '../../config/config.js';
import type { Database } from '../../db/database.js';
import { countRows, dropLvlupSchema, loadDatabase } from '../../db/logical-backup.js';
import { committedMigrations, migrate } from '../../db/migrate.js';
import { CliError } from '../cli-context.js';
import { BACKED_UP_FOLDERS, type BackupManifest, manifestSchema } from './manifest.js';

/** Restoring onto something that holds data without --force; the message lists what is there. */
export class RestoreTargetNotEmptyError extends CliError {
  readonly code = 'restore_target_not_empty';
}

/** A file that is not an lvlup backup this version can load. */
export class BackupUnreadableError extends CliError {
  readonly code = 'backup_unreadable';
}

export interface RestoreSummary {
  readonly manifest: BackupManifest;
  /** rows per table after the restore (and the migrations after the backup's level) */
  readonly rows: Record<string, number>;
  /** repositories registered by local path whose folder is not on this machine */
  readonly missingLocalRepositories: string[];
}

/** Only these may come out of a backup, and only as files and folders (links only inside repositories). */
function allowedEntry(entryPath: string, type: string | undefined): boolean {
  const normalised = entryPath.replace(/^\.\//, '');
  if (normalised === 'manifest.json') return type === 'File';
  if (/^database\/?$/.test(normalised)) return type === 'Directory';
  if (/^database\/[a-z_][a-z0-9_]*\.jsonl$/.test(normalised)) return type === 'File';
  if (/^files\/?$/.test(normalised)) return type === 'Directory';
  return BACKED_UP_FOLDERS.some(
    (folder) => normalised === `files/${folder}` || normalised.startsWith(`files/${folder}/`),
  );
}

function nonEmptyFolders(dataDirectory: string): string[] {
  return BACKED_UP_FOLDERS.filter((folder) => {
    const full = path.join(dataDirectory, folder);
    return existsSync(full) && readdirSync(full).length > 0;
  });
}

async function readManifest(staging: string): Promise<BackupManifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path.join(staging, 'manifest.json'), 'utf8'));
  } catch (error) {
    throw new BackupUnreadableError(`it has no readable manifest.json (${(error as Error).message})`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new BackupUnreadableError(
      `its manifest is not one this lvlup reads: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  const committed = committedMigrations();
  parsed.data.database.migrations.forEach((migration, index) => {
    const known = committed[index];
    if (known?.tag !== migration.tag || known.hash !== migration.hash) {
      throw new BackupUnreadableError(
        `it was taken at migration ${migration.tag}, which this lvlup ${known ? `has as ${known.tag}` : 'does not have'}: restore it with the lvlup version that made it (or a newer one)`,
      );
    }
  });
  return parsed.data;
}

/**
 * Loads a backup into `database` and the data folder. Both must hold nothing (tables without rows and no
 * repositories or projects folders), unless `force`, which deletes what is there first. The schema is
 * rebuilt at the backup's migration level, its rows loaded in one transaction, then the later migrations
 * run, so a backup from an older lvlup is upgraded on the way in. Files are moved into the data folder
 * only after the rows are in.
 */
export async function restoreBackup(
  database: Database,
  config: Pick<Config, 'dataDirectory'>,
  file: string,
  options: { force: boolean },
): Promise<RestoreSummary> {
  await mkdir(config.dataDirectory, { recursive: true });
  // Inside the data folder, so the repositories are moved into place by a rename, not copied.
  const staging = path.join(config.dataDirectory, `.restore-${randomUUID()}`);
  await mkdir(staging);
  try {
    const refused: string[] = [];
    try {
      await extract({
        file,
        cwd: staging,
        strict: true,
        filter: (entryPath, entry) => {
          // git hooks run code when git runs; lvlup needs none, so none comes out of a backup
          if (/(^|\/)\.git\/hooks\//.test(entryPath)) return false;
          const allowed = allowedEntry(entryPath, 'type' in entry ? entry.type : undefined);
          if (!allowed) refused.push(entryPath);
          return allowed;
        },
      });
    } catch (error) {
      throw new BackupUnreadableError(`it is not a readable gzipped tar archive (${(error as Error).message})`);
    }
    if (refused.length > 0) {
      throw new BackupUnreadableError(`it holds entries no lvlup backup has: ${refused.slice(0, 5).join(', ')}`);
    }
    const manifest = await readManifest(staging);

    const rowsBefore = Object.entries(await countRows(database)).filter(([, rows]) => rows > 0);
    const foldersBefore = nonEmptyFolders(config.dataDirectory);
    if ((rowsBefore.length > 0 || foldersBefore.length > 0) && !options.force) {
      const held = [
        ...(rowsBefore.length > 0
          ? [
              `${rowsBefore.reduce((sum, [, rows]) => sum + rows, 0)} rows in ${rowsBefore.map(([table]) => table).join(', ')}`,
            ]
          : []),
        ...foldersBefore.map((folder) => `${path.join(config.dataDirectory, folder)}`),
      ];
      throw new RestoreTargetNotEmptyError(
        `the target is not empty (${held.join('; ')}); restore into an empty database and data folder, or add --force to delete what is there first`,
      );
    }

    await dropLvlupSchema(database);
    await migrate(database, { upTo: manifest.database.migrations.length });
    await loadDatabase(database, path.join(staging, 'database'), manifest.database);
    await migrate(database);
    if (manifest.dataDirectory !== config.dataDirectory) {
      // Clones and projects' repositories are stored with their absolute folder, under the data folder
      // they were made in; they now live under this one.
      await database.query(
        `update repositories set path = $2 || substr(path, length($1) + 1)
          where source in ('clone', 'project') and left(path, length($1)) = $1`,
        [`${manifest.dataDirectory}${path.sep}`, `${config.dataDirectory}${path.sep}`],
      );
    }

    for (const folder of BACKED_UP_FOLDERS) {
      const target = path.join(config.dataDirectory, folder);
      await rm(target, { recursive: true, force: true });
      const restored = path.join(staging, 'files', folder);
      if (existsSync(restored)) await rename(restored, target);
    }

    const localRepositories = await database.query<{ path: string }>(
      "select path from repositories where source = 'path' order by path",
    );
    return {
      manifest,
      rows: await countRows(database),
      missingLocalRepositories: localRepositories.map((row) => row.path).filter((folder) => !existsSync(folder)),
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
