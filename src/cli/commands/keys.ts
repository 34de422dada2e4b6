import { type Command, InvalidArgumentError, Option } from 'commander';
import { ROLE_SCOPES, type Scope, SCOPES } from '../../accounts/roles.js';
import { CliError, type CliContext } from '../cli-context.js';
import { withDatabase } from '../with-database.js';

function parseScopes(value: string): Scope[] {
  const scopes = value.split(',').map((scope) => scope.trim());
  const unknown = scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0)
    throw new InvalidArgumentError(`unknown scope ${unknown.join(', ')}; known: ${SCOPES.join(', ')}`);
  return scopes as Scope[];
}

function parseDate(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError('must be an ISO 8601 date, e.g. 2027-01-31');
  return date;
}

// The commands load their stores when they run: `lvlup --help` loads none of them.
export function registerKeyCommands(program: Command, context: CliContext) {
  const keys = program.command('keys').description('manage API keys');
  const { stdout } = context.io;

  keys
    .command('create')
    .description('create an API key and print its secret (shown once)')
    .requiredOption('--name <name>', 'a label for the key')
    .addOption(
      new Option('--scopes <list>', `comma-separated: ${SCOPES.join(', ')}`)
        .argParser(parseScopes)
        .makeOptionMandatory(),
    )
    .option('--user <email>', "owner; the key never exceeds the owner's role")
    .option('--expires-at <date>', 'ISO 8601 expiry', parseDate)
    .action(async (options: { name: string; scopes: Scope[]; user?: string; expiresAt?: Date }) => {
      const { createApiKey } = await import('../../accounts/api-key-store.js');
      const { findUserByEmail } = await import('../../accounts/user-store.js');
      const { recordAudit } = await import('../../audit/audit-store.js');
      await withDatabase(context, async (database) => {
        let userId: string | undefined;
        if (options.user) {
          const user = await findUserByEmail(database.orm, options.user);
          if (!user) throw new CliError(`no user with email ${options.user}`);
          const allowed = ROLE_SCOPES[user.role];
          const excess = options.scopes.filter((scope) => !allowed.includes(scope));
          if (excess.length > 0) throw new CliError(`a ${user.role} cannot hold ${excess.join(', ')}`);
          userId = user.id;
        }
        if (options.expiresAt && options.expiresAt <= new Date())
          throw new CliError('--expires-at must be in the future');
        const { key, secret } = await createApiKey(database.orm, {
          name: options.name,
          scopes: options.scopes,
          userId,
          createdBy: 'cli',
          expiresAt: options.expiresAt,
        });
        await recordAudit(database.orm, { actorType: 'cli', action: 'keys create', target: key.id });
        stdout.write(`Created API key ${key.id} (${key.name}; scopes ${key.scopes.join(', ')}).\n`);
        stdout.write(`Secret, shown only now:\n${secret}\n`);
      });
    });

  keys
    .command('list')
    .description('list API keys (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { listApiKeys } = await import('../../accounts/api-key-store.js');
      await withDatabase(context, async (database) => {
        const { rows } = await listApiKeys(database.orm, { limit: 500, skip: 0 });
        if (options.json) {
          stdout.write(
            `${JSON.stringify(
              rows.map(({ keyHash: _hash, ...key }) => key),
              null,
              2,
            )}\n`,
          );
          return;
        }
        if (rows.length === 0) {
          stdout.write('No API keys.\n');
          return;
        }
        for (const key of rows) {
          const state = key.revokedAt ? 'revoked' : key.expiresAt && key.expiresAt <= new Date() ? 'expired' : 'active';
          stdout.write(`${key.id}  ${key.prefix}…  ${state.padEnd(7)}  ${key.name}  [${key.scopes.join(',')}]\n`);
        }
      });
    });

  keys
    .command('revoke')
    .description('revoke an API key by id')
    .argument('<id>', 'the key id (see keys list)')
    .action(async (id: string) => {
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new CliError(`${id} is not a key id (a UUID, see lvlup keys list)`);
      const { revokeKeyFromCommandLine } = await import('../revoke-key.js');
      await withDatabase(context, async (database) => {
        const warn = (message: string) => context.io.stderr.write(`lvlup: warning: ${message}\n`);
        if (!(await revokeKeyFromCommandLine(database, context.config(), id, warn))) {
          throw new CliError(`no active API key ${id}`);
        }
        stdout.write(`Revoked API key ${id}.\n`);
      });
    });
}
