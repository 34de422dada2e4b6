import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function registerServeCommand(program: Command, context: CliContext) {
  program
    .command('serve', { isDefault: true })
    .description('run the HTTP API, and workers unless told not to (the default command)')
    .option('--no-worker', 'serve HTTP only; tasks run in `lvlup worker` processes (same as LVLUP_WORKER=false)')
    .action(async (options: { worker: boolean }) => {
      const config = context.config();
      // Loaded here, not at the top: `lvlup --help` and the other commands need none of the server's modules.
      const { closeOnSignals, startServer } = await import('../../server/server.js');
      const server = await startServer(config, context.io.stdout, {
        worker: options.worker && config.worker.enabled,
      });
      closeOnSignals(server, config.shutdownTimeoutSeconds);
    });
}
