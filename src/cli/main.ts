import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { readEnvironment } from '../config/environment.js';
import { DataDirectoryLockedError } from '../db/data-directory-lock.js';
import { version } from '../version.js';
import { CliError, type CliContext, type CliIo } from './cli-context.js';
import { registerBackupCommands } from './commands/backup.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerKeyCommands } from './commands/keys.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerServeCommand } from './commands/serve.js';
import { registerUserCommands } from './commands/users.js';
import { registerWorkerCommand } from './commands/worker.js';

export const EXIT_CONFIG = 78;

/** Runs the `lvlup` command line and answers the exit code (a running server keeps the process alive). */
export async function main(argv: string[], partialIo: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = {
    stdout: partialIo.stdout ?? process.stdout,
    stderr: partialIo.stderr ?? process.stderr,
    stdin: partialIo.stdin ?? process.stdin,
    environment: partialIo.environment ?? readEnvironment(process.env, partialIo.workingDirectory),
    workingDirectory: partialIo.workingDirectory ?? process.cwd(),
  };
  // The configuration's module (zod and every schema) loads before a command runs, not for `--help` or
  // `--version`, which answer without it; context.config() stays synchronous for the commands.
  let configuration: typeof import('../config/config.js') | undefined;
  const context: CliContext = {
    io,
    config: () => {
      if (!configuration) throw new Error('the configuration module loads before a command runs');
      return configuration.loadConfig(io.environment, io.workingDirectory);
    },
  };

  const program = new Command('lvlup')
    .description('lvlup: AI agents over code repositories, with humans in charge')
    .version(version)
    .exitOverride()
    .hook('preAction', async () => {
      configuration = await import('../config/config.js');
    })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  registerServeCommand(program, context);
  registerWorkerCommand(program, context);
  registerMigrateCommand(program, context);
  registerKeyCommands(program, context);
  registerUserCommands(program, context);
  registerBackupCommands(program, context);
  registerDoctorCommand(program, context);

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (configuration && error instanceof configuration.ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT_CONFIG;
    }
    if (error instanceof DataDirectoryLockedError) {
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    if (error instanceof CliError) {
      io.stderr.write(`lvlup: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`lvlup: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

// `node dist/cli/main.js …` after `npm run build` runs the compiled CLI without tsx.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv);
}

export { CliError, type CliContext, type CliIo };
