import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

/** Runs loadConfig and answers the ConfigError it must throw. */
function configError(environment: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(environment, '/srv/lvlup');
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('loadConfig accepted a bad value');
}

describe('loadConfig', () => {
  it('sizes the compute pool at cores - 1 (at least 1) with a queue of 8; 0 threads means inline', () => {
    assert.deepEqual(loadConfig({}, '/srv/lvlup').compute, {
      poolSize: Math.max(1, availableParallelism() - 1),
      maxQueue: 64,
      taskTimeoutMs: 60_000,
    });
    assert.deepEqual(
      loadConfig({ COMPUTE_POOL_SIZE: '0', COMPUTE_MAX_QUEUE: '0', COMPUTE_TASK_TIMEOUT_MS: '250' }, '/srv/lvlup')
        .compute,
      { poolSize: 0, maxQueue: 0, taskTimeoutMs: 250 },
    );
    const error = configError({ COMPUTE_POOL_SIZE: '-1', COMPUTE_MAX_QUEUE: 'many', COMPUTE_TASK_TIMEOUT_MS: '0' });
    assert.deepEqual(
      error.problems.map((problem) => problem.variable),
      ['COMPUTE_POOL_SIZE', 'COMPUTE_MAX_QUEUE', 'COMPUTE_TASK_TIMEOUT_MS'],
    );
  });

  it('has working defaults for an empty environment', () => {
    const config = loadConfig({}, '/srv/lvlup');
    assert.equal(config.port, 8000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.dataDirectory, path.resolve('/srv/lvlup', '.lvlup'));
    assert.equal(config.databaseUrl, undefined);
    assert.deepEqual(config.rateLimit, { enabled: true, perMinute: 300 });
    assert.deepEqual(config.corsOrigins, []);
    assert.deepEqual(config.log, { level: 'info', format: 'json' });
    assert.equal(config.secretKey, undefined);
    assert.equal(config.shutdownTimeoutSeconds, 10);
  });

  it('resolves a relative data folder against the given working directory, keeps an absolute one', () => {
    assert.equal(loadConfig({ LVLUP_DATA_DIR: 'data/here' }, '/srv/lvlup').dataDirectory, '/srv/lvlup/data/here');
    assert.equal(loadConfig({ LVLUP_DATA_DIR: '/var/lib/lvlup' }, '/srv/lvlup').dataDirectory, '/var/lib/lvlup');
  });

  it('reads PORT, falls back to API_PORT, and PORT wins when both are set', () => {
    assert.equal(loadConfig({ PORT: '9001' }).port, 9001);
    assert.equal(loadConfig({ API_PORT: '9002' }).port, 9002);
    assert.equal(loadConfig({ PORT: '9001', API_PORT: '9002' }).port, 9001);
  });

  it('reads the other common settings', () => {
    const config = loadConfig({
      API_HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://lvlup@db.internal:5432/lvlup',
      CORS_ORIGINS: 'https://app.example.com/, http://localhost:5173',
      RATE_LIMIT_ENABLED: 'no',
      RATE_LIMIT_PER_MINUTE: '60',
      LOG_LEVEL: 'debug',
      SECRET_KEY: 'k'.repeat(32),
    });
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.databaseUrl, 'postgresql://lvlup@db.internal:5432/lvlup');
    assert.deepEqual(config.corsOrigins, ['https://app.example.com', 'http://localhost:5173']);
    assert.deepEqual(config.rateLimit, { enabled: false, perMinute: 60 });
    assert.equal(config.log.level, 'debug');
    assert.equal(config.secretKey, 'k'.repeat(32));
  });

  it('reads LVLUP_REPO_ROOTS as absolute directories, none by default', () => {
    assert.deepEqual(loadConfig({}).repositoryRoots, []);
    assert.deepEqual(loadConfig({ LVLUP_REPO_ROOTS: ' /srv/code/ , /home/dev/projects' }).repositoryRoots, [
      '/srv/code',
      '/home/dev/projects',
    ]);
  });

  it('reads LVLUP_OUTBOUND_ALLOW as IP networks, none by default, and refuses anything else', () => {
    assert.deepEqual(loadConfig({}).outboundAllow, []);
    assert.deepEqual(loadConfig({ LVLUP_OUTBOUND_ALLOW: ' 127.0.0.1/32, 10.0.0.0/8,fd00::/8 , ::1' }).outboundAllow, [
      '127.0.0.1/32',
      '10.0.0.0/8',
      'fd00::/8',
      '::1',
    ]);
    for (const bad of ['example.com', '10.0.0.0/33', '10.0.0.0/8/1', '::1/129', '127.1', '10.0.0.0/x']) {
      assert.throws(
        () => loadConfig({ LVLUP_OUTBOUND_ALLOW: bad }),
        (error: unknown) =>
          error instanceof ConfigError && error.problems.some((problem) => problem.variable === 'LVLUP_OUTBOUND_ALLOW'),
        bad,
      );
    }
  });

  it('ignores variables it does not know', () => {
    assert.equal(loadConfig({ HOME: '/root', PATH: '/bin', SOMETHING_ELSE: 'x' }).port, 8000);
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig(
      {
        PORT: '',
        API_PORT: '',
        API_HOST: '',
        LVLUP_DATA_DIR: '',
        DATABASE_URL: '',
        LOG_LEVEL: '',
        RATE_LIMIT_ENABLED: '',
        SECRET_KEY: '',
        CORS_ORIGINS: '',
      },
      '/srv/lvlup',
    );
    assert.equal(config.port, 8000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.dataDirectory, '/srv/lvlup/.lvlup');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.log.level, 'info');
    assert.equal(config.rateLimit.enabled, true);
    assert.equal(config.secretKey, undefined);
  });

  const badValues: { name: string; environment: Record<string, string>; variable: string; allowed: RegExp }[] = [
    { name: 'a port that is not a number', environment: { PORT: 'abc' }, variable: 'PORT', allowed: /1 and 65535/ },
    { name: 'a port out of range', environment: { PORT: '70000' }, variable: 'PORT', allowed: /1 and 65535/ },
    { name: 'a bad API_PORT', environment: { API_PORT: '0' }, variable: 'API_PORT', allowed: /1 and 65535/ },
    {
      name: 'an unknown log level',
      environment: { LOG_LEVEL: 'loud' },
      variable: 'LOG_LEVEL',
      allowed: /fatal, error, warn, info, debug, trace, silent/,
    },
    {
      name: 'a database URL that is not PostgreSQL',
      environment: { DATABASE_URL: 'mysql://x' },
      variable: 'DATABASE_URL',
      allowed: /postgres/,
    },
    {
      name: 'a CORS entry that is not an origin',
      environment: { CORS_ORIGINS: 'https://app.example.com,not an origin' },
      variable: 'CORS_ORIGINS',
      allowed: /origins such as https:\/\/app\.example\.com.*not an origin/,
    },
    {
      name: 'a CORS entry with a path',
      environment: { CORS_ORIGINS: 'https://app.example.com/app' },
      variable: 'CORS_ORIGINS',
      allowed: /origins such as/,
    },
    {
      // a pool of one would hang migrating: the lock holds one connection, the migrator needs another
      name: 'a database pool of one connection',
      environment: { DATABASE_POOL_SIZE: '1' },
      variable: 'DATABASE_POOL_SIZE',
      allowed: /between 2 and 200/,
    },
    {
      name: 'a relative repository root',
      environment: { LVLUP_REPO_ROOTS: '/srv/code,projects' },
      variable: 'LVLUP_REPO_ROOTS',
      allowed: /absolute directories \(bad entry: projects\)/,
    },
    {
      name: 'a flag that is not a boolean',
      environment: { RATE_LIMIT_ENABLED: 'maybe' },
      variable: 'RATE_LIMIT_ENABLED',
      allowed: /true, false, 1, 0, yes, no/,
    },
  ];
  for (const { name, environment, variable, allowed } of badValues) {
    it(`refuses ${name}, naming the variable and what is allowed`, () => {
      const error = configError(environment);
      assert.equal(error.code, 'invalid_config');
      assert.equal(error.problems.length, 1);
      assert.equal(error.problems[0]?.variable, variable);
      assert.match(error.problems[0]?.message ?? '', allowed);
      assert.match(error.message, new RegExp(`^Invalid configuration:\\n {2}${variable} `));
      assert.match(error.message, allowed);
      // the bad value is shown, so the operator sees what was read
      assert.ok(error.message.includes(`"${Object.values(environment)[0]}"`), error.message);
    });
  }

  it('refuses a short SECRET_KEY without echoing its value', () => {
    const secret = 'hunter2-not-long-enough';
    const error = configError({ SECRET_KEY: secret });
    assert.equal(error.problems[0]?.variable, 'SECRET_KEY');
    assert.match(error.message, /SECRET_KEY must be at least 32 characters/);
    assert.ok(!error.message.includes(secret), error.message);
    assert.ok(!error.message.includes('hunter2'), error.message);
  });

  it('does not echo API keys or tokens either', () => {
    const error = configError({ LVLUP_ADMIN_API_KEY: 'lvl_tooshort', PORT: 'abc' });
    assert.deepEqual(error.problems.map((problem) => problem.variable).sort(), ['LVLUP_ADMIN_API_KEY', 'PORT']);
    assert.ok(!error.message.includes('lvl_tooshort'), error.message);
    assert.match(error.message, /LVLUP_ADMIN_API_KEY must start with lvl_/);
  });

  it('hides the credentials of a bad URL', () => {
    const error = configError({ DATABASE_URL: 'postgress://lvlup:pa55word@db.example.com/lvlup' });
    assert.equal(error.problems[0]?.variable, 'DATABASE_URL');
    assert.ok(!error.message.includes('pa55word'), error.message);
    assert.ok(error.message.includes('postgress://***@db.example.com/lvlup'), error.message);
  });

  it('reports every bad variable at once', () => {
    const error = configError({ PORT: '70000', LOG_LEVEL: 'loud', RATE_LIMIT_ENABLED: 'maybe' });
    assert.deepEqual(error.problems.map((problem) => problem.variable).sort(), [
      'LOG_LEVEL',
      'PORT',
      'RATE_LIMIT_ENABLED',
    ]);
    assert.equal(error.message.split('\n').length, 4);
  });
});
