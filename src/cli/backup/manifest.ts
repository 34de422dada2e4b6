import { z } from 'zod';
import { committedMigrations } from '../../db/migrate.js';

export const BACKUP_FORMAT = 'lvlup-backup';
export const BACKUP_FORMAT_VERSION = 1;

/** The folders of the data folder a backup carries: clones and projects' repositories. */
export const BACKED_UP_FOLDERS = ['repositories', 'projects'] as const;

/**
 * `manifest.json`, the first thing in a backup: what made it, the migration level of its rows (the
 * migrations applied, by tag and hash, in order) and how many rows each table file holds.
 */
export const manifestSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.literal(BACKUP_FORMAT_VERSION),
  lvlupVersion: z.string(),
  createdAt: z.iso.datetime(),
  database: z.strictObject({
    kind: z.enum(['pglite', 'postgres']),
    migrations: z.array(z.strictObject({ tag: z.string(), hash: z.string() })),
    tables: z.array(z.strictObject({ name: z.string().regex(/^[a-z_][a-z0-9_]*$/), rows: z.number().int().min(0) })),
  }),
  /** the data folder the files came from: stored paths under it are moved to the restoring one */
  dataDirectory: z.string(),
  folders: z.array(z.enum(BACKED_UP_FOLDERS)),
});

export type BackupManifest = z.infer<typeof manifestSchema>;

/**
 * The tags of applied migrations, checked against the committed ones: a database migrated by another
 * lvlup (a migration this one does not have, or a different one at the same place) cannot be described.
 */
export function migrationTags(
  applied: readonly { hash: string; createdAt: number }[],
): { tag: string; hash: string }[] {
  const committed = committedMigrations();
  return applied.map((migration, index) => {
    const known = committed[index];
    if (!known || known.createdAt !== migration.createdAt || known.hash !== migration.hash) {
      throw new Error(
        `the database's migration ${index + 1} (created ${migration.createdAt}) is not this lvlup's` +
          `${known ? ` (${known.tag})` : ''}: use the lvlup version that migrated it`,
      );
    }
    return { tag: known.tag, hash: known.hash };
  });
}
