import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/config.js';
import { dataDirectoryLockHolder } from '../../db/data-directory-lock.js';
import { appliedMigrations, committedMigrations } from '../../db/migrate.js';
import { openDatabase } from '../../db/open.js';
import { configuredProviders, type ProviderEndpoint } from '../../llm/provider-settings.js';
import { connectRedis, waitUntilReady } from '../../redis.js';
import { sandboxStatus } from '../../sandbox/sandbox-status.js';
import type { CheckResult } from './check.js';

function lockDescription(dataDirectory: string): { text: string; heldByLiveProcess: number | undefined } {
  const holder = dataDirectoryLockHolder(dataDirectory);
  if (!holder) return { text: 'not locked', heldByLiveProcess: undefined };
  if (holder.alive === false) {
    return {
      text: `stale lock of pid ${holder.pid}, which is gone (the next start takes it over)`,
      heldByLiveProcess: undefined,
    };
  }
  const where = holder.alive === undefined ? ` on host ${holder.hostname}` : '';
  return { text: `locked by lvlup pid ${holder.pid}${where}`, heldByLiveProcess: holder.pid };
}

async function writable(folder: string): Promise<string | undefined> {
  const probe = path.join(folder, `.doctor-${randomUUID()}`);
  try {
    await writeFile(probe, '');
    await rm(probe);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

export async function checkDataDirectory(config: Pick<Config, 'dataDirectory'>): Promise<CheckResult> {
  const folder = config.dataDirectory;
  if (!existsSync(folder)) {
    let ancestor = path.dirname(folder);
    while (!existsSync(ancestor)) ancestor = path.dirname(ancestor);
    const problem = await writable(ancestor);
    if (problem) {
      return {
        name: 'data folder',
        status: 'fail',
        detail: `${folder} does not exist and ${ancestor} is not writable (${problem})`,
        fix: `mkdir -p ${folder} && chown "$(id -un)" ${folder}, or set LVLUP_DATA_DIR to a writable folder`,
      };
    }
    return { name: 'data folder', status: 'ok', detail: `${folder} does not exist yet; the first start creates it` };
  }
  const problem = await writable(folder);
  const lock = lockDescription(folder).text;
  if (problem) {
    return {
      name: 'data folder',
      status: 'fail',
      detail: `${folder} is not writable (${problem}); ${lock}`,
      fix: `chown -R "$(id -un)" ${folder}, or set LVLUP_DATA_DIR to a writable folder`,
    };
  }
  return { name: 'data folder', status: 'ok', detail: `${folder} is writable; ${lock}` };
}

export async function checkDatabase(config: Config): Promise<CheckResult> {
  const name = 'database';
  const embedded = !config.databaseUrl;
  if (embedded) {
    if (!existsSync(path.join(config.dataDirectory, 'pgdata'))) {
      return {
        name,
        status: 'warn',
        detail: `the embedded database does not exist yet in ${path.join(config.dataDirectory, 'pgdata')}`,
        fix: 'lvlup migrate (or lvlup serve, which creates and migrates it)',
      };
    }
    const { heldByLiveProcess } = lockDescription(config.dataDirectory);
    if (heldByLiveProcess !== undefined) {
      return {
        name,
        status: 'skip',
        detail: `the embedded database is in use by lvlup pid ${heldByLiveProcess} (one process at a time); stop it to check`,
      };
    }
  }
  let database;
  try {
    database = await openDatabase(config, { migrate: false });
  } catch (error) {
    return {
      name,
      status: 'fail',
      detail: `cannot open ${embedded ? 'the embedded database' : 'PostgreSQL'}: ${(error as Error).message}`,
      fix: embedded
        ? `move ${path.join(config.dataDirectory, 'pgdata')} aside and restore a backup (lvlup restore FILE)`
        : 'check DATABASE_URL and that the server accepts connections (pg_isready -d "$DATABASE_URL")',
    };
  }
  try {
    const [row] = await database.query<{ version: string }>("select current_setting('server_version') as version");
    const what = embedded ? `embedded PostgreSQL ${row?.version} (PGlite)` : `PostgreSQL ${row?.version}`;
    const applied = await appliedMigrations(database);
    const committed = committedMigrations();
    const foreign = applied.findIndex(
      (migration, index) =>
        committed[index]?.hash !== migration.hash || committed[index]?.createdAt !== migration.createdAt,
    );
    if (foreign !== -1) {
      return {
        name,
        status: 'fail',
        detail: `${what}: its migration ${foreign + 1} is not this lvlup's (migrated by another version)`,
        fix: 'run the lvlup version that migrated it, or restore a backup into an empty database',
      };
    }
    const pending = committed.length - applied.length;
    if (pending > 0) {
      return {
        name,
        status: 'warn',
        detail: `${what} reachable; ${pending} of ${committed.length} migrations pending (lvlup serve applies them at start)`,
        fix: 'lvlup migrate',
      };
    }
    return {
      name,
      status: 'ok',
      detail: `${what} reachable; migrated (${committed.length} of ${committed.length}, ${committed.at(-1)?.tag})`,
    };
  } finally {
    await database.close();
  }
}

export async function checkRedis(config: Pick<Config, 'redisUrl'>): Promise<CheckResult> {
  if (!config.redisUrl) {
    return {
      name: 'redis',
      status: 'skip',
      detail: 'REDIS_URL unset: events pass through the database, rate limits are per process',
    };
  }
  const redis = connectRedis(config.redisUrl);
  redis.on('error', () => undefined);
  try {
    await waitUntilReady(redis, 3000);
    const [info] = (await redis.info('server')).match(/redis_version:\S+/) ?? ['redis'];
    return { name: 'redis', status: 'ok', detail: `${new URL(config.redisUrl).host} answers (${info})` };
  } catch (error) {
    return {
      name: 'redis',
      status: 'fail',
      detail: `REDIS_URL does not answer: ${(error as Error).message}`,
      fix: 'start Redis or correct REDIS_URL (redis-cli -u "$REDIS_URL" ping)',
    };
  } finally {
    redis.disconnect();
  }
}

export async function checkSandbox(config: Config): Promise<CheckResult> {
  const status = await sandboxStatus(config);
  if (status.status !== 'unavailable') {
    if (status.status === 'isolated') {
      return { name: 'bubblewrap', status: 'ok', detail: "proposals' checks run isolated under bubblewrap" };
    }
    return {
      name: 'bubblewrap',
      status: 'warn',
      detail: "SANDBOX_MODE=process: proposals' checks run unisolated",
      fix: 'apt-get install bubblewrap and unset SANDBOX_MODE',
    };
  }
  return {
    name: 'bubblewrap',
    status: 'fail',
    detail: `the sandbox is unavailable (no check or experiment runs, readiness answers 503): ${status.reason}`,
    fix: status.fix ?? 'apt-get install bubblewrap',
  };
}

const PROVIDER_VARIABLES: Record<ProviderEndpoint['provider'], { key?: string; url: string; defaultUrl?: string }> = {
  openai: { key: 'OPENAI_API_KEY', url: 'OPENAI_BASE_URL', defaultUrl: 'https://api.openai.com/v1' },
  anthropic: { key: 'ANTHROPIC_API_KEY', url: 'ANTHROPIC_BASE_URL', defaultUrl: 'https://api.anthropic.com/v1' },
  'openai-compatible': { key: 'LLM_OPENAI_COMPATIBLE_API_KEY', url: 'LLM_OPENAI_COMPATIBLE_BASE_URL' },
  ollama: { url: 'OLLAMA_BASE_URL' },
};

/**
 * Every configured provider is asked for its model list (`GET {base}/models`: OpenAI's, Anthropic's, and
 * the OpenAI-compatible one Ollama and vLLM serve), which proves the address and the key without spending
 * tokens.
 */
export async function checkLanguageModels(config: Config, fetchImplementation: typeof fetch): Promise<CheckResult[]> {
  const providers = configuredProviders(config.llm);
  if (providers.length === 0) {
    return [
      {
        name: 'llm',
        status: 'warn',
        detail: 'no provider configured: LLM-only endpoints answer 503 llm_not_configured',
        fix: 'set OPENAI_API_KEY, ANTHROPIC_API_KEY, OLLAMA_BASE_URL or LLM_OPENAI_COMPATIBLE_BASE_URL',
      },
    ];
  }
  return Promise.all(
    providers.map(async (endpoint): Promise<CheckResult> => {
      const variables = PROVIDER_VARIABLES[endpoint.provider];
      const base = (endpoint.baseUrl ?? variables.defaultUrl ?? '').replace(/\/+$/, '');
      const name = `llm ${endpoint.provider}`;
      const headers: Record<string, string> =
        endpoint.provider === 'anthropic'
          ? { 'x-api-key': endpoint.apiKey ?? '', 'anthropic-version': '2023-06-01' }
          : endpoint.apiKey
            ? { authorization: `Bearer ${endpoint.apiKey}` }
            : {};
      try {
        const response = await fetchImplementation(`${base}/models`, { headers, signal: AbortSignal.timeout(10_000) });
        if (response.ok) {
          const body = (await response.json().catch(() => undefined)) as { data?: unknown[] } | undefined;
          const models = Array.isArray(body?.data) ? `, ${body.data.length} models` : '';
          return { name, status: 'ok', detail: `${base} answers${models}` };
        }
        const refused = response.status === 401 || response.status === 403;
        return {
          name,
          status: 'fail',
          detail: `${base}/models answered HTTP ${response.status}${refused ? ': the key was refused' : ''}`,
          fix: refused && variables.key ? `set a valid ${variables.key}` : `check ${variables.url}`,
        };
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        return {
          name,
          status: 'fail',
          detail: `${base} is unreachable (${cause ?? (error as Error).message})`,
          fix: `check ${variables.url} and that this machine reaches it`,
        };
      }
    }),
  );
}
