import closeWithGrace from 'close-with-grace';
import type { Command } from 'commander';
import { pino } from 'pino';
import { openDatabase } from '../../db/open.js';
import { createStoredEventBus } from '../../events/stored-bus.js';
import { loggerOptions } from '../../observability/logger.js';
import { createTaskRuntime } from '../../tasks/runtime.js';
import type { CliContext } from '../main.js';

export function registerWorkerCommand(program: Command, context: CliContext) {
  program
    .command('worker')
    .description('run workers only (no HTTP): claims and runs tasks and schedules from the shared database')
    .action(async () => {
      const config = context.config();
      const log = pino(loggerOptions(config.log.level, config.log.format));
      const database = await openDatabase(config);
      const events = createStoredEventBus({
        database,
        retentionSeconds: config.eventRetentionSeconds,
        onError: (error) => log.warn({ err: error }, 'could not prune the event log'),
      });
      const runtime = createTaskRuntime({ database, events, config, log, worker: true });
      try {
        await runtime.start();
      } catch (error) {
        await database.close();
        throw error;
      }
      log.info({ owner: runtime.worker?.owner, concurrency: config.worker.concurrency }, 'worker started');
      closeWithGrace({ delay: config.shutdownTimeoutSeconds * 1000 + 2000 }, async ({ signal, err }) => {
        if (err) log.error({ err }, 'shutting down after an error');
        else log.info({ signal }, 'shutting down');
        await runtime.stop(config.shutdownTimeoutSeconds * 1000);
        await database.close();
      });
    });
}
