import type { Command } from 'commander';
import { CliError, type CliContext } from '../cli-context.js';
import { formatCheck } from '../doctor/check.js';
import { runDoctor } from '../doctor/run-doctor.js';

export function registerDoctorCommand(program: Command, context: CliContext) {
  program
    .command('doctor')
    .description(
      'check what this installation has and lacks, one line each with the command that fixes it; exits 1 when something required fails',
    )
    .action(async () => {
      const results = await runDoctor({ environment: context.io.environment, config: () => context.config() });
      const width = Math.max(...results.map((result) => result.name.length));
      for (const result of results) context.io.stdout.write(`${formatCheck(result, width)}\n`);
      const failed = results.filter((result) => result.status === 'fail');
      const warned = results.filter((result) => result.status === 'warn');
      context.io.stdout.write(
        `${failed.length} failed, ${warned.length} ${warned.length === 1 ? 'warning' : 'warnings'}` +
          `${warned.length > 0 ? ` (${warned.map((result) => result.name).join(', ')})` : ''}.\n`,
      );
      if (failed.length > 0) {
        throw new CliError(`required: ${failed.map((result) => result.name).join(', ')}`, 1);
      }
    });
}
