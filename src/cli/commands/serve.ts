import type { Command } from 'commander';
import { closeOnSignals, startServer } from '../../server/server.js';
import type { CliContext } from '../main.js';

export function registerServeCommand(program: Command, context: CliContext) {
  program
    .command('serve', { isDefault: true })
    .description('run the HTTP API (the default command)')
    .action(async () => {
      const config = context.config();
      const server = await startServer(config, context.io.stdout);
      closeOnSignals(server, config.shutdownTimeoutSeconds);
    });
}
