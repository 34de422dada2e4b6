import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function registerMigrateCommand(program: Command, context: CliContext) {
  program
    .command('migrate')
    .description('apply pending database migrations and exit (the server also does this at start)')
    .action(async () => {
      const config = context.config();
      const { openDatabase } = await import('../../db/open.js');
      const database = await openDatabase(config);
      await database.close();
      context.io.stdout.write(
        `Database is up to date (${config.databaseUrl ? 'PostgreSQL' : `embedded, ${config.dataDirectory}`}).\n`,
      );
    });
}
