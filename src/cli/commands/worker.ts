import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

export function registerWorkerCommand(program: Command, context: CliContext) {
  program
    .command('worker')
    .description('run workers only (no HTTP): claims and runs tasks and schedules from the shared database')
    .action(async () => {
      // Loaded here, not at the top: `lvlup --help` and the other commands need none of the worker's modules.
      const { runWorker } = await import('../run-worker.js');
      await runWorker(context);
    });
}
