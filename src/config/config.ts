import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseCidr } from '../network/address-guard.js';

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

const tokenBudget = z.coerce
  .number({ message: 'must be a whole number of tokens, 0 or more' })
  .int('must be a whole number of tokens, 0 or more')
  .min(0, 'must be a whole number of tokens, 0 or more')
  .optional();

export const LANGUAGE_MODEL_PROVIDERS = ['openai', 'anthropic', 'openai-compatible', 'ollama'] as const;
export type LanguageModelProviderName = (typeof LANGUAGE_MODEL_PROVIDERS)[number];

const languageModelProvider = z
  .enum(LANGUAGE_MODEL_PROVIDERS, { message: `must be one of ${LANGUAGE_MODEL_PROVIDERS.join(', ')}` })
  .optional();

/** US dollars per million tokens, by model name. */
const priceTableSchema = z.record(
  z.string().min(1),
  z.strictObject({ input: z.number().min(0), output: z.number().min(0) }),
);

/**
 * Per-agent LLM variables carry the agent type in their name (LLM_MODEL_IMPERIUM,
 * LLM_DAILY_TOKEN_BUDGET_GUARDIAN, LLM_MONTHLY_TOKEN_BUDGET_MY_AGENT), so they are read by pattern: the
 * suffix is the agent type in capitals with every character other than a letter or digit as `_`.
 */
const AGENT_LANGUAGE_MODEL_VARIABLE = /^LLM_(MODEL|DAILY_TOKEN_BUDGET|MONTHLY_TOKEN_BUDGET)_([A-Z0-9_]+)$/;

/** The key per-agent settings are stored under: `my-agent` and `my_agent` both become `MY_AGENT`. */
export const agentSettingsKey = (agentType: string) => agentType.toUpperCase().replace(/[^A-Z0-9]/g, '_');

function agentLanguageModelSettings(environment: Record<string, string | undefined>) {
  const models: Record<string, string> = {};
  const dailyTokenBudgets: Record<string, number> = {};
  const monthlyTokenBudgets: Record<string, number> = {};
  const problems: { variable: string; message: string }[] = [];
  for (const [variable, raw] of Object.entries(environment)) {
    const match = AGENT_LANGUAGE_MODEL_VARIABLE.exec(variable);
    const value = raw?.trim();
    if (!match || !value) continue;
    const [, kind, agent] = match as unknown as [string, string, string];
    if (kind === 'MODEL') {
      models[agent] = value;
      continue;
    }
    const parsed = tokenBudget.safeParse(value);
    if (!parsed.success || parsed.data === undefined) {
      problems.push({ variable, message: `must be a whole number of tokens, 0 or more (got "${value}")` });
      continue;
    }
    (kind === 'DAILY_TOKEN_BUDGET' ? dailyTokenBudgets : monthlyTokenBudgets)[agent] = parsed.data;
  }
  return { models, dailyTokenBudgets, monthlyTokenBudgets, problems };
}

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
  LVLUP_OUTBOUND_ALLOW: z
    .string()
    .default('')
    .transform((value, context) => {
      const networks = value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      for (const entry of networks) {
        if (!parseCidr(entry)) {
          context.addIssue({
            code: 'custom',
            message: `must be a comma-separated list of IP addresses or networks such as 10.0.0.0/8 or fd00::/8 (bad entry: ${entry})`,
          });
          return z.NEVER;
        }
      }
      return networks;
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
  COMPUTE_POOL_SIZE: z.coerce
    .number({ message: 'must be a whole number between 0 (inline) and 256' })
    .int('must be a whole number between 0 (inline) and 256')
    .min(0, 'must be a whole number between 0 (inline) and 256')
    .max(256, 'must be a whole number between 0 (inline) and 256')
    .default(Math.max(1, availableParallelism() - 1)),
  COMPUTE_MAX_QUEUE: z.coerce
    .number({ message: 'must be a whole number between 0 and 10000' })
    .int('must be a whole number between 0 and 10000')
    .min(0, 'must be a whole number between 0 and 10000')
    .max(10_000, 'must be a whole number between 0 and 10000')
    .default(64),
  COMPUTE_TASK_TIMEOUT_MS: z.coerce
    .number({ message: 'must be a whole number of milliseconds between 1 and 3600000' })
    .int('must be a whole number of milliseconds between 1 and 3600000')
    .min(1, 'must be a whole number of milliseconds between 1 and 3600000')
    .max(3_600_000, 'must be a whole number of milliseconds between 1 and 3600000')
    .default(60_000),
  REVOCATION_RESYNC_SECONDS: seconds(60),
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
  LLM_MONTHLY_TOKEN_BUDGET: tokenBudget,
  LLM_DAILY_TOKEN_BUDGET: tokenBudget,
  LLM_PROVIDER: languageModelProvider,
  LLM_MODEL: z.string().trim().min(1).optional(),
  LLM_FALLBACK_PROVIDER: languageModelProvider,
  LLM_FALLBACK_MODEL: z.string().trim().min(1).optional(),
  LLM_OPENAI_COMPATIBLE_BASE_URL: optionalUrl(['http:', 'https:']),
  LLM_OPENAI_COMPATIBLE_API_KEY: z.string().min(1).optional(),
  LLM_TIMEOUT_SECONDS: seconds(60),
  LLM_MAX_RETRIES: z.coerce
    .number({ message: 'must be a whole number between 0 and 10' })
    .int('must be a whole number between 0 and 10')
    .min(0, 'must be a whole number between 0 and 10')
    .max(10, 'must be a whole number between 0 and 10')
    .default(2),
  LLM_CACHE_TTL_SECONDS: z.coerce
    .number({ message: 'must be a whole number of seconds, 0 (no cache) or more' })
    .int('must be a whole number of seconds, 0 (no cache) or more')
    .min(0, 'must be a whole number of seconds, 0 (no cache) or more')
    .default(3600),
  LLM_CIRCUIT_FAILURE_THRESHOLD: z.coerce
    .number({ message: 'must be a whole number of failures, at least 1' })
    .int('must be a whole number of failures, at least 1')
    .min(1, 'must be a whole number of failures, at least 1')
    .default(5),
  LLM_CIRCUIT_OPEN_SECONDS: seconds(30),
  LLM_PRICES: z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined) return {};
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        parsed = undefined;
      }
      const checked = priceTableSchema.safeParse(parsed);
      if (!checked.success) {
        context.addIssue({
          code: 'custom',
          message: 'must be a JSON object such as {"gpt-4o":{"input":2.5,"output":10}} (US dollars per million tokens)',
        });
        return z.NEVER;
      }
      return checked.data;
    }),
  GITHUB_TOKEN: z.string().min(1).optional(),
  GITHUB_API_URL: optionalUrl(['http:', 'https:']).default('https://api.github.com'),
  FLUTTER_PATH: z
    .string()
    .refine((value) => path.isAbsolute(value), 'must be an absolute path')
    .optional(),
  CHROMIUM_PATH: z
    .string()
    .refine((value) => path.isAbsolute(value), 'must be an absolute path')
    .default('/usr/bin/chromium'),
  SANDBOX_MODE: z.enum(['auto', 'bwrap', 'process'], { message: 'must be auto, bwrap or process' }).default('auto'),
  SANDBOX_WORK_DIR: z
    .string()
    .refine((value) => path.isAbsolute(value), 'must be an absolute path')
    .optional(),
  SANDBOX_BWRAP_PATH: z
    .string()
    .refine((value) => path.isAbsolute(value), 'must be an absolute path')
    .optional(),
  PROJECT_PACKAGE_CACHE: z
    .string()
    .refine((value) => path.isAbsolute(value), 'must be an absolute path')
    .optional(),
  PROJECT_TOKEN_BUDGET: z.coerce
    .number({ message: 'must be a whole number of tokens, 1 or more' })
    .int('must be a whole number of tokens, 1 or more')
    .min(1, 'must be a whole number of tokens, 1 or more')
    .default(400_000),
  PROJECT_TIME_BUDGET_SECONDS: seconds(3600),
  PROJECT_MODEL_ATTEMPTS: z.coerce
    .number({ message: 'must be a whole number from 1 to 10' })
    .int('must be a whole number from 1 to 10')
    .min(1, 'must be a whole number from 1 to 10')
    .max(10, 'must be a whole number from 1 to 10')
    .default(3),
  DEPLOYMENT_LEASE_SECONDS: seconds(30),
  DEPLOYMENT_HEALTH_INTERVAL: seconds(10),
  DEPLOYMENT_LOG_LINES: z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(10, 'must be at least 10')
    .max(1_000_000, 'must be at most 1000000')
    .default(2000),
});

export type Environment = z.input<typeof environmentSchema>;

/** The names of the variables lvlup reads (besides the per-agent LLM_… ones); deployment files are checked against them. */
export const CONFIGURATION_VARIABLES: readonly string[] = Object.keys(environmentSchema.shape);

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDirectory: string;
  /** directories under which local repositories may be registered; empty disables registering paths */
  readonly repositoryRoots: readonly string[];
  /**
   * networks (LVLUP_OUTBOUND_ALLOW) lvlup may connect to for clone URLs although they are loopback,
   * private, link-local, …; empty: only public addresses
   */
  readonly outboundAllow: readonly string[];
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
  /** the worker threads that run analysis, optimisation, diffing and the security gate (src/compute/) */
  readonly compute: {
    /** threads; 0 runs the work inline on the event loop (a comparison baseline, not for production) */
    readonly poolSize: number;
    /** requests that may wait for a thread; one more is answered 503 `server_busy` */
    readonly maxQueue: number;
    /** how long one task may run on its thread before the thread is terminated (`compute_timeout`) */
    readonly taskTimeoutMs: number;
  };
  /** how often each server process re-reads revoked credentials, in case it missed an announcement */
  readonly revocationResyncSeconds: number;
  readonly intervals: {
    readonly imperiumLearning: number;
    readonly guardianScan: number;
    readonly sandboxExperiment: number;
    readonly conquestAnalysis: number;
    readonly custody: number;
  };
  /** language model providers and how lvlup uses them; see docs/llm.md */
  readonly llm: {
    readonly openaiApiKey: string | undefined;
    readonly openaiBaseUrl: string | undefined;
    readonly anthropicApiKey: string | undefined;
    readonly anthropicBaseUrl: string | undefined;
    readonly ollamaBaseUrl: string | undefined;
    /** any other server that speaks OpenAI's chat completions (vLLM, LM Studio, …) */
    readonly openaiCompatibleBaseUrl: string | undefined;
    readonly openaiCompatibleApiKey: string | undefined;
    /** the provider calls go to; the first configured one (in LANGUAGE_MODEL_PROVIDERS order) if unset */
    readonly provider: LanguageModelProviderName | undefined;
    /** the default model (`model` or `provider:model`); the provider's default if unset */
    readonly model: string | undefined;
    /** models per agent, keyed by agentSettingsKey(agent type) */
    readonly agentModels: Readonly<Record<string, string>>;
    readonly fallbackProvider: LanguageModelProviderName | undefined;
    readonly fallbackModel: string | undefined;
    readonly timeoutSeconds: number;
    /** retries after the first attempt of one call (retryable failures only) */
    readonly maxRetries: number;
    /** how long an exact response stays cached; 0 disables the cache */
    readonly cacheTtlSeconds: number;
    /** consecutive failures that open a provider's circuit, and how long it stays open */
    readonly circuitFailureThreshold: number;
    readonly circuitOpenSeconds: number;
    /** tokens (input + output) per UTC day / month, across all agents */
    readonly dailyTokenBudget: number | undefined;
    readonly monthlyTokenBudget: number | undefined;
    /** the same per agent, keyed by agentSettingsKey(agent type) */
    readonly agentDailyTokenBudgets: Readonly<Record<string, number>>;
    readonly agentMonthlyTokenBudgets: Readonly<Record<string, number>>;
    /** prices (US dollars per million tokens) added to or replacing the built-in table */
    readonly prices: Readonly<Record<string, { readonly input: number; readonly output: number }>>;
  };
  readonly github: { readonly token: string | undefined; readonly apiUrl: string };
  /** the Flutter SDK (FLUTTER_PATH, its root folder or its bin/flutter): projects' Flutter clients are built with it */
  readonly flutterPath: string | undefined;
  /** the Chromium binary the QA stage's browser smoke test drives (CHROMIUM_PATH) */
  readonly chromiumPath: string;
  readonly sandboxMode: 'auto' | 'bwrap' | 'process';
  /** where Sandbox's throw-away work trees go; undefined: /dev/shm when writable, else the temp folder */
  readonly sandboxWorkDirectory: string | undefined;
  /** the bubblewrap binary (SANDBOX_BWRAP_PATH); default: `bwrap` on PATH, then /usr/bin/bwrap */
  readonly sandboxBwrapPath: string | undefined;
  /** npm's cache for generated apps' installs, shared by every project (default: package-cache in the data folder) */
  readonly projectPackageCache: string;
  /** the model engine's limits per project run (a project's own budgets win); see docs/projects.md */
  readonly projectModel: {
    /** tokens (input + output) a run may spend */
    readonly tokenBudget: number;
    /** seconds a run may take from its start */
    readonly timeBudgetSeconds: number;
    /** answers a stage asks the model for before it gives up (the first and its repairs) */
    readonly attempts: number;
  };
  readonly deployments: {
    /** how long a process's claim on a deployment holds without a heartbeat (DEPLOYMENT_LEASE_SECONDS) */
    readonly leaseSeconds: number;
    /** how often a running app is health-checked (DEPLOYMENT_HEALTH_INTERVAL) */
    readonly healthIntervalSeconds: number;
    /** log lines kept per deployment (DEPLOYMENT_LOG_LINES) */
    readonly logLines: number;
  };
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
  const agentLanguageModel = agentLanguageModelSettings(environment);
  if (!parsed.success || agentLanguageModel.problems.length) {
    throw new ConfigError([
      ...(parsed.error?.issues ?? []).map((issue) => {
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
      ...agentLanguageModel.problems,
    ]);
  }
  const env = parsed.data;
  return {
    port: env.PORT ?? env.API_PORT ?? 8000,
    host: env.API_HOST,
    dataDirectory: path.resolve(workingDirectory, env.LVLUP_DATA_DIR),
    repositoryRoots: env.LVLUP_REPO_ROOTS,
    outboundAllow: env.LVLUP_OUTBOUND_ALLOW,
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
    compute: {
      poolSize: env.COMPUTE_POOL_SIZE,
      maxQueue: env.COMPUTE_MAX_QUEUE,
      taskTimeoutMs: env.COMPUTE_TASK_TIMEOUT_MS,
    },
    revocationResyncSeconds: env.REVOCATION_RESYNC_SECONDS,
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
      openaiCompatibleBaseUrl: env.LLM_OPENAI_COMPATIBLE_BASE_URL,
      openaiCompatibleApiKey: env.LLM_OPENAI_COMPATIBLE_API_KEY,
      provider: env.LLM_PROVIDER,
      model: env.LLM_MODEL,
      agentModels: agentLanguageModel.models,
      fallbackProvider: env.LLM_FALLBACK_PROVIDER,
      fallbackModel: env.LLM_FALLBACK_MODEL,
      timeoutSeconds: env.LLM_TIMEOUT_SECONDS,
      maxRetries: env.LLM_MAX_RETRIES,
      cacheTtlSeconds: env.LLM_CACHE_TTL_SECONDS,
      circuitFailureThreshold: env.LLM_CIRCUIT_FAILURE_THRESHOLD,
      circuitOpenSeconds: env.LLM_CIRCUIT_OPEN_SECONDS,
      dailyTokenBudget: env.LLM_DAILY_TOKEN_BUDGET,
      monthlyTokenBudget: env.LLM_MONTHLY_TOKEN_BUDGET,
      agentDailyTokenBudgets: agentLanguageModel.dailyTokenBudgets,
      agentMonthlyTokenBudgets: agentLanguageModel.monthlyTokenBudgets,
      prices: env.LLM_PRICES,
    },
    github: { token: env.GITHUB_TOKEN, apiUrl: env.GITHUB_API_URL },
    flutterPath: env.FLUTTER_PATH,
    chromiumPath: env.CHROMIUM_PATH,
    sandboxMode: env.SANDBOX_MODE,
    sandboxWorkDirectory: env.SANDBOX_WORK_DIR,
    sandboxBwrapPath: env.SANDBOX_BWRAP_PATH,
    projectPackageCache:
      env.PROJECT_PACKAGE_CACHE ?? path.join(path.resolve(workingDirectory, env.LVLUP_DATA_DIR), 'package-cache'),
    projectModel: {
      tokenBudget: env.PROJECT_TOKEN_BUDGET,
      timeBudgetSeconds: env.PROJECT_TIME_BUDGET_SECONDS,
      attempts: env.PROJECT_MODEL_ATTEMPTS,
    },
    deployments: {
      leaseSeconds: env.DEPLOYMENT_LEASE_SECONDS,
      healthIntervalSeconds: env.DEPLOYMENT_HEALTH_INTERVAL,
      logLines: env.DEPLOYMENT_LOG_LINES,
    },
  };
}
