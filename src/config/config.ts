import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be one of true, false, 1, 0, yes, no' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const seconds = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1 second')
    .default(fallback);

const optionalUrl = (protocols: string[]) =>
  z
    .url({ message: `must be a URL (${protocols.join(', ')})` })
    .refine((value) => protocols.includes(new URL(value).protocol), {
      message: `must use ${protocols.join(' or ')}`,
    })
    .optional();

const port = z.coerce
  .number({ message: 'must be a port number between 1 and 65535' })
  .int('must be a port number between 1 and 65535')
  .min(1, 'must be a port number between 1 and 65535')
  .max(65535, 'must be a port number between 1 and 65535');

/**
 * Every variable lvlup reads, with its default. Unknown variables are ignored (the process environment
 * holds plenty of them); a known variable with a bad value stops start-up.
 */
const environmentSchema = z.object({
  PORT: port.optional(),
  API_PORT: port.optional(),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  LVLUP_DATA_DIR: z.string().min(1).default('./.lvlup'),
  LVLUP_REPO_ROOTS: z
    .string()
    .default('')
    .transform((value, context) => {
      const roots = value
        .split(',')
        .map((root) => root.trim())
        .filter(Boolean);
      for (const root of roots) {
        if (!path.isAbsolute(root)) {
          context.addIssue({
            code: 'custom',
            message: `must be a comma-separated list of absolute directories (bad entry: ${root})`,
          });
          return z.NEVER;
        }
      }
      return roots.map((root) => path.resolve(root));
    }),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  // At least 2: migrating holds the migration lock on one connection while it works on another.
  DATABASE_POOL_SIZE: z.coerce
    .number({ message: 'must be a whole number between 2 and 200' })
    .int('must be a whole number between 2 and 200')
    .min(2, 'must be a whole number between 2 and 200')
    .max(200, 'must be a whole number between 2 and 200')
    .default(10),
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters long').optional(),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value, context) => {
      const origins = value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean);
      for (const origin of origins) {
        if (!URL.canParse(origin) || new URL(origin).origin !== origin.replace(/\/$/, '')) {
          context.addIssue({
            code: 'custom',
            message: `must be a comma-separated list of origins such as https://app.example.com (bad entry: ${origin})`,
          });
          return z.NEVER;
        }
      }
      return origins.map((origin) => origin.replace(/\/$/, ''));
    }),
  RATE_LIMIT_ENABLED: booleanFlag.default(true),
  RATE_LIMIT_PER_MINUTE: z.coerce
    .number({ message: 'must be a whole number of requests, at least 1' })
    .int('must be a whole number of requests, at least 1')
    .min(1, 'must be a whole number of requests, at least 1')
    .default(300),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty'], { message: 'must be json or pretty' }).default('json'),
  BODY_LIMIT_BYTES: z.coerce
    .number({ message: 'must be a whole number of bytes, at least 1024' })
    .int('must be a whole number of bytes, at least 1024')
    .min(1024, 'must be a whole number of bytes, at least 1024')
    .default(1024 * 1024),
  TRUST_PROXY: booleanFlag.default(false),
  METRICS_PUBLIC: booleanFlag.default(false),
  ALLOW_SIGNUP: booleanFlag.default(false),
  LVLUP_ADMIN_API_KEY: z
    .string()
    .regex(/^lvl_[A-Za-z0-9_-]{32,}$/, 'must start with lvl_ followed by at least 32 characters of [A-Za-z0-9_-]')
    .optional(),
  ACCESS_TOKEN_TTL: seconds(900),
  REFRESH_TOKEN_TTL: seconds(30 * 24 * 3600),
  SHUTDOWN_TIMEOUT: seconds(10),
  EVENT_RETENTION_SECONDS: seconds(24 * 3600),
  LVLUP_WORKER: booleanFlag.default(true),
  WORKER_CONCURRENCY: z.coerce
    .number({ message: 'must be a whole number between 1 and 256' })
    .int('must be a whole number between 1 and 256')
    .min(1, 'must be a whole number between 1 and 256')
    .max(256, 'must be a whole number between 1 and 256')
    .default(Math.max(2, availableParallelism())),
  TASK_LEASE_SECONDS: seconds(30),
  IMPERIUM_LEARNING_INTERVAL: seconds(1800),
  GUARDIAN_SCAN_INTERVAL: seconds(900),
  SANDBOX_EXPERIMENT_INTERVAL: seconds(2700),
  CONQUEST_ANALYSIS_INTERVAL: seconds(1200),
  CUSTODY_INTERVAL: seconds(3600),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: optionalUrl(['http:', 'https:']),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: optionalUrl(['http:', 'https:']),
  OLLAMA_BASE_URL: optionalUrl(['http:', 'https:']),
  LLM_MONTHLY_TOKEN_BUDGET: z.coerce
    .number({ message: 'must be a whole number of tokens, 0 or more' })
    .int('must be a whole number of tokens, 0 or more')
    .min(0, 'must be a whole number of tokens, 0 or more')
    .optional(),
  GITHUB_TOKEN: z.string().min(1).optional(),
  GITHUB_API_URL: optionalUrl(['http:', 'https:']).default('https://api.github.com'),
  FLUTTER_PATH: z.string().min(1).optional(),
  SANDBOX_MODE: z.enum(['auto', 'bwrap', 'process'], { message: 'must be auto, bwrap or process' }).default('auto'),
});

export type Environment = z.input<typeof environmentSchema>;

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDirectory: string;
  /** directories under which local repositories may be registered; empty disables registering paths */
  readonly repositoryRoots: readonly string[];
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  readonly redisUrl: string | undefined;
  readonly secretKey: string | undefined;
  readonly corsOrigins: readonly string[];
  readonly rateLimit: { readonly enabled: boolean; readonly perMinute: number };
  readonly log: { readonly level: string; readonly format: 'json' | 'pretty' };
  readonly bodyLimitBytes: number;
  readonly trustProxy: boolean;
  readonly metricsPublic: boolean;
  readonly allowSignup: boolean;
  readonly adminApiKey: string | undefined;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly shutdownTimeoutSeconds: number;
  /** how long the stored event log keeps events for replay */
  readonly eventRetentionSeconds: number;
  readonly worker: {
    /** whether `lvlup serve` also runs workers (`lvlup worker` always does) */
    readonly enabled: boolean;
    /** tasks one process runs at once */
    readonly concurrency: number;
    /** how long a running task's lease lasts; a dead worker's tasks are taken over after it */
    readonly leaseSeconds: number;
  };
  readonly intervals: {
    readonly imperiumLearning: number;
    readonly guardianScan: number;
    readonly sandboxExperiment: number;
    readonly conquestAnalysis: number;
    readonly custody: number;
  };
  readonly llm: {
    readonly openaiApiKey: string | undefined;
    readonly openaiBaseUrl: string | undefined;
    readonly anthropicApiKey: string | undefined;
    readonly anthropicBaseUrl: string | undefined;
    readonly ollamaBaseUrl: string | undefined;
    readonly monthlyTokenBudget: number | undefined;
  };
  readonly github: { readonly token: string | undefined; readonly apiUrl: string };
  readonly flutterPath: string | undefined;
  readonly sandboxMode: 'auto' | 'bwrap' | 'process';
}

export class ConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(readonly problems: readonly { variable: string; message: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((problem) => `  ${problem.variable} ${problem.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** Reads the configuration from an environment (process.env merged with .env); throws ConfigError. */
export function loadConfig(environment: Record<string, string | undefined>, workingDirectory = process.cwd()): Config {
  const present = Object.fromEntries(
    Object.entries(environment).filter(([name, value]) => name in environmentSchema.shape && value !== ''),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? 'environment');
        const received = present[variable];
        const secret = variable === 'SECRET_KEY' || variable.endsWith('_API_KEY') || variable.endsWith('_TOKEN');
        // A URL may carry a password (postgres://user:pw@host): show its shape, never the credentials.
        const shown = received === undefined || secret ? undefined : received.replace(/\/\/[^/@]*@/, '//***@');
        return {
          variable,
          message: `${issue.message}${shown !== undefined ? ` (got "${shown}")` : ''}`,
        };
      }),
    );
  }
  const env = parsed.data;
  return {
    port: env.PORT ?? env.API_PORT ?? 8000,
    host: env.API_HOST,
    dataDirectory: path.resolve(workingDirectory, env.LVLUP_DATA_DIR),
    repositoryRoots: env.LVLUP_REPO_ROOTS,
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    redisUrl: env.REDIS_URL,
    secretKey: env.SECRET_KEY,
    corsOrigins: env.CORS_ORIGINS,
    rateLimit: { enabled: env.RATE_LIMIT_ENABLED, perMinute: env.RATE_LIMIT_PER_MINUTE },
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    trustProxy: env.TRUST_PROXY,
    metricsPublic: env.METRICS_PUBLIC,
    allowSignup: env.ALLOW_SIGNUP,
    adminApiKey: env.LVLUP_ADMIN_API_KEY,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL,
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL,
    shutdownTimeoutSeconds: env.SHUTDOWN_TIMEOUT,
    eventRetentionSeconds: env.EVENT_RETENTION_SECONDS,
    worker: { enabled: env.LVLUP_WORKER, concurrency: env.WORKER_CONCURRENCY, leaseSeconds: env.TASK_LEASE_SECONDS },
    intervals: {
      imperiumLearning: env.IMPERIUM_LEARNING_INTERVAL,
      guardianScan: env.GUARDIAN_SCAN_INTERVAL,
      sandboxExperiment: env.SANDBOX_EXPERIMENT_INTERVAL,
      conquestAnalysis: env.CONQUEST_ANALYSIS_INTERVAL,
      custody: env.CUSTODY_INTERVAL,
    },
    llm: {
      openaiApiKey: env.OPENAI_API_KEY,
      openaiBaseUrl: env.OPENAI_BASE_URL,
      anthropicApiKey: env.ANTHROPIC_API_KEY,
      anthropicBaseUrl: env.ANTHROPIC_BASE_URL,
      ollamaBaseUrl: env.OLLAMA_BASE_URL,
      monthlyTokenBudget: env.LLM_MONTHLY_TOKEN_BUDGET,
    },
    github: { token: env.GITHUB_TOKEN, apiUrl: env.GITHUB_API_URL },
    flutterPath: env.FLUTTER_PATH,
    sandboxMode: env.SANDBOX_MODE,
  };
}
