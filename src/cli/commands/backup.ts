import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { openDatabase } from '../../db/open.js';
import { createBackup } from '../backup/create-backup.js';
import { BackupUnreadableError, restoreBackup } from '../backup/restore-backup.js';
import { CliError, type CliContext } from '../cli-context.js';

const timestamp = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');

export function registerBackupCommands(program: Command, context: CliContext) {
  const { io } = context;

  program
    .command('backup')
    .description(
      'write a backup of the database (one consistent snapshot, as JSON rows any PostgreSQL loads) and of the data folder’s repositories and projects',
    )
    .option('--output <file>', 'where to write it (default: lvlup-backup-<UTC time>.tar.gz in the working folder)')
    .action(async (options: { output?: string }) => {
      const config = context.config();
      const output = path.resolve(
        io.workingDirectory,
        options.output ?? `lvlup-backup-${timestamp(new Date())}.tar.gz`,
      );
      if (existsSync(output)) throw new CliError(`${output} exists; choose another --output`);
      // A backup reads; it never migrates the database it copies (its migration level is recorded).
      const database = await openDatabase(config, { migrate: false });
      try {
        const { manifest, bytes } = await createBackup(database, config, output);
        const rows = manifest.database.tables.reduce((sum, table) => sum + table.rows, 0);
        io.stdout.write(
          `Backed up ${rows} rows in ${manifest.database.tables.length} tables ` +
            `(at migration ${manifest.database.migrations.at(-1)?.tag ?? 'none'})` +
            `${manifest.folders.length > 0 ? ` and the ${manifest.folders.join(' and ')} folders` : ''} ` +
            `to ${output} (${bytes} bytes).\n`,
        );
      } finally {
        await database.close();
      }
    });

  program
    .command('restore')
    .description(
      'load a backup into an empty database and data folder (the configured ones); migrates it up to this version',
    )
    .argument('<file>', 'a file written by lvlup backup')
    .option('--force', 'delete what the database and the data folder hold first')
    .action(async (file: string, options: { force?: boolean }) => {
      const config = context.config();
      const input = path.resolve(io.workingDirectory, file);
      if (!existsSync(input)) throw new CliError(`${input} does not exist`);
      const database = await openDatabase(config, { migrate: false });
      try {
        const summary = await restoreBackup(database, config, input, { force: options.force === true });
        const rows = Object.values(summary.rows).reduce((sum, count) => sum + count, 0);
        io.stdout.write(
          `Restored ${rows} rows from ${input} (taken ${summary.manifest.createdAt} by lvlup ` +
            `${summary.manifest.lvlupVersion} on ${summary.manifest.database.kind}) into ` +
            `${config.databaseUrl ? 'PostgreSQL' : 'the embedded database'} and ${config.dataDirectory}.\n`,
        );
        for (const folder of summary.missingLocalRepositories) {
          io.stderr.write(
            `lvlup: warning: the repository registered at ${folder} (a local path, not part of backups) is not on this machine\n`,
          );
        }
      } catch (error) {
        if (error instanceof BackupUnreadableError)
          throw new BackupUnreadableError(`${input} cannot be restored: ${error.message}`);
        throw error;
      } finally {
        await database.close();
      }
    });
}
