import { type Command, Option } from 'commander';
import { ROLES, type Role } from '../../accounts/roles.js';
import { CliError, type CliContext } from '../cli-context.js';
import { withDatabase } from '../with-database.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export function registerUserCommands(program: Command, context: CliContext) {
  const users = program.command('users').description('manage users');
  users
    .command('create')
    .description('create a user (password from --password-stdin or LVLUP_USER_PASSWORD, never from argv)')
    .requiredOption('--email <email>', 'sign-in email')
    .addOption(new Option('--role <role>', 'role').choices(ROLES).default('viewer'))
    .option('--password-stdin', 'read the password from standard input')
    .action(async (options: { email: string; role: Role; passwordStdin?: boolean }) => {
      const password = options.passwordStdin
        ? (await readAll(context.io.stdin)).replace(/\r?\n$/, '')
        : context.io.environment.LVLUP_USER_PASSWORD;
      if (!password) throw new CliError('give the password with --password-stdin or LVLUP_USER_PASSWORD');
      if (password.length < 12) throw new CliError('the password must be at least 12 characters');
      if (!/^[^\s@]+@[^\s@]+$/.test(options.email)) throw new CliError(`${options.email} is not an email address`);
      const { createUser, EmailTakenError } = await import('../../accounts/user-store.js');
      const { recordAudit } = await import('../../audit/audit-store.js');
      await withDatabase(context, async (database) => {
        try {
          const user = await createUser(database.orm, { email: options.email, password, role: options.role });
          await recordAudit(database.orm, { actorType: 'cli', action: 'users create', target: user.id });
          context.io.stdout.write(`Created ${user.role} ${user.email} (${user.id}).\n`);
        } catch (error) {
          if (error instanceof EmailTakenError) throw new CliError(error.message);
          throw error;
        }
      });
    });
}
