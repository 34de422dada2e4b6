import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/config.js';
import { BudgetExhaustedError, LlmNotConfiguredError } from '../src/llm/language-model-errors.js';
import { recordUsage, type UsageRecord } from '../src/llm/token-usage-store.js';
import { buildApp } from '../src/server/app.js';
import { createTestApp, type TestApp } from './support/app.js';
import { createTestDatabase, databaseTargets } from './support/database.js';

const NOW = new Date('2026-03-15T12:00:00Z');

const base: Omit<UsageRecord, 'agentType' | 'provider' | 'model' | 'inputTokens' | 'outputTokens' | 'createdAt'> = {
  taskId: undefined,
  purpose: 'test',
  costUsd: 0,
  costEstimated: true,
  cached: false,
  outcome: 'ok',
  errorCode: undefined,
  durationMs: 5,
};

/** The rows every test reads: three agents, three providers, three days (two in this month). */
const ROWS: UsageRecord[] = [
  {
    ...base,
    agentType: 'guardian',
    provider: 'openai',
    model: 'gpt-4o-mini',
    inputTokens: 100,
    outputTokens: 50,
    costUsd: 0.5,
    createdAt: new Date('2026-03-15T08:00:00Z'),
  },
  {
    ...base,
    agentType: 'guardian',
    provider: 'openai',
    model: 'gpt-4o-mini',
    inputTokens: 0,
    outputTokens: 0,
    cached: true,
    createdAt: new Date('2026-03-15T09:00:00Z'),
  },
  {
    ...base,
    agentType: 'imperium',
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    inputTokens: 300,
    outputTokens: 100,
    costUsd: 0.25,
    createdAt: new Date('2026-03-14T23:30:00Z'),
  },
  {
    ...base,
    agentType: 'imperium',
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    inputTokens: 0,
    outputTokens: 0,
    outcome: 'error',
    errorCode: 'llm_server_error',
    createdAt: new Date('2026-03-15T10:00:00Z'),
  },
  {
    ...base,
    agentType: 'sandbox',
    provider: 'openai-compatible',
    model: 'my-model',
    inputTokens: 40,
    outputTokens: 10,
    costEstimated: false,
    createdAt: new Date('2026-02-20T10:00:00Z'),
  },
];

interface Totals {
  calls: number;
  cached_calls: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost_usd: number;
  cost_estimated: boolean;
  unpriced_calls: number;
}
interface Budget {
  scope: string;
  agent_type: string | null;
  limit: number;
  used: number;
  remaining: number;
  exhausted: boolean;
}
interface Summary {
  from: string | null;
  to: string | null;
  totals: Totals;
  by_agent?: (Totals & { agent_type: string })[];
  by_provider?: (Totals & { provider: string })[];
  by_model?: (Totals & { provider: string; model: string })[];
  by_day?: (Totals & { day: string })[];
  budgets: Record<'day' | 'month', { start: string; resets_at: string; global: Budget | null; agents: Budget[] }>;
}

for (const target of databaseTargets()) {
  describe(`GET /api/v1/token-usage on ${target}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(target, {
        now: () => NOW,
        environment: {
          LLM_DAILY_TOKEN_BUDGET: '1000',
          LLM_MONTHLY_TOKEN_BUDGET: '500',
          LLM_DAILY_TOKEN_BUDGET_GUARDIAN: '100',
        },
      });
      for (const row of ROWS) await recordUsage(t.database.orm, row);
    });
    after(() => t.close());

    const get = async (query = '', key: string | undefined = t.adminKey) => {
      const response = await t.request({ method: 'GET', url: `/api/v1/token-usage${query}`, key });
      return { status: response.statusCode, body: response.json<Summary>(), headers: response.headers };
    };

    it('totals and all four breakdowns match the stored rows', async () => {
      const { status, body } = await get();
      assert.equal(status, 200);
      assert.deepEqual([body.from, body.to], [null, null]);
      assert.deepEqual(body.totals, {
        calls: 5,
        cached_calls: 1,
        errors: 1,
        input_tokens: 440,
        output_tokens: 160,
        total_tokens: 600,
        cost_usd: 0.75,
        cost_estimated: false,
        unpriced_calls: 1,
      });
      assert.deepEqual(
        body.by_agent!.map((row) => [row.agent_type, row.calls, row.total_tokens, row.cost_usd]),
        [
          ['imperium', 2, 400, 0.25],
          ['guardian', 2, 150, 0.5],
          ['sandbox', 1, 50, 0],
        ],
      );
      assert.deepEqual(
        body.by_provider!.map((row) => [row.provider, row.calls, row.input_tokens, row.output_tokens, row.errors]),
        [
          ['anthropic', 2, 300, 100, 1],
          ['openai', 2, 100, 50, 0],
          ['openai-compatible', 1, 40, 10, 0],
        ],
      );
      assert.deepEqual(
        body.by_model!.map((row) => [row.provider, row.model, row.cached_calls, row.cost_estimated]),
        [
          ['anthropic', 'claude-haiku-4-5', 0, true],
          ['openai', 'gpt-4o-mini', 1, true],
          ['openai-compatible', 'my-model', 0, false],
        ],
      );
      assert.deepEqual(
        body.by_day!.map((row) => [row.day, row.calls, row.total_tokens]),
        [
          ['2026-02-20', 1, 50],
          ['2026-03-14', 1, 400],
          ['2026-03-15', 3, 150],
        ],
      );
    });

    it('reports the budgets of the current UTC day and month', async () => {
      const { body } = await get('?agent_type=sandbox');
      assert.deepEqual(body.budgets.day.global, {
        scope: 'global',
        agent_type: null,
        limit: 1000,
        used: 150,
        remaining: 850,
        exhausted: false,
      });
      assert.equal(body.budgets.day.resets_at, '2026-03-16T00:00:00.000Z');
      assert.deepEqual(body.budgets.month.global, {
        scope: 'global',
        agent_type: null,
        limit: 500,
        used: 550,
        remaining: 0,
        exhausted: true,
      });
      assert.deepEqual(body.budgets.day.agents, [], 'sandbox has no budget of its own');
      assert.equal(body.budgets.month.start, '2026-03-01T00:00:00.000Z');
      const all = await get();
      assert.deepEqual(all.body.budgets.day.agents, [
        { scope: 'agent', agent_type: 'guardian', limit: 100, used: 150, remaining: 0, exhausted: true },
      ]);
    });

    it('filters by agent, provider, model and period (a date includes its whole UTC day)', async () => {
      assert.equal((await get('?agent_type=guardian')).body.totals.calls, 2);
      assert.equal((await get('?provider=anthropic')).body.totals.total_tokens, 400);
      assert.equal((await get('?model=my-model')).body.totals.calls, 1);
      const day = await get('?from=2026-03-14&to=2026-03-14');
      assert.deepEqual([day.body.from, day.body.to], ['2026-03-14T00:00:00.000Z', '2026-03-15T00:00:00.000Z']);
      assert.equal(day.body.totals.calls, 1);
      const instant = await get(`?from=${encodeURIComponent('2026-03-15T08:30:00+00:00')}`);
      assert.equal(instant.body.totals.calls, 2);
      assert.equal((await get('?from=2026-03-01')).body.totals.calls, 4);
    });

    it('group_by picks the breakdowns', async () => {
      const { body } = await get('?group_by=day,provider');
      assert.ok(body.by_day && body.by_provider);
      assert.equal(body.by_agent, undefined);
      assert.equal(body.by_model, undefined);
    });

    it('needs a credential (401) with agents:read (403)', async () => {
      const anonymous = await t.request({ method: 'GET', url: '/api/v1/token-usage' });
      assert.equal(anonymous.statusCode, 401);
      assert.match(String(anonymous.headers['content-type']), /^application\/problem\+json/);
      const without = await get('', await t.createKey(['proposals:read']));
      assert.equal(without.status, 403);
      const viewer = await get('', await t.createKey(['agents:read']));
      assert.equal(viewer.status, 200);
    });

    for (const [query, field] of [
      ['?from=yesterday', 'querystring.from'],
      ['?to=2026-13-45', 'querystring.to'],
      ['?from=2026-03-15&to=2026-03-01', 'querystring.to'],
      ['?group_by=agent,week', 'querystring.group_by'],
      ['?provider=mistral', 'querystring.provider'],
    ] as const) {
      it(`400 naming ${field} for ${query}`, async () => {
        const response = await t.request({ method: 'GET', url: `/api/v1/token-usage${query}`, key: t.adminKey });
        assert.equal(response.statusCode, 400);
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
        const problem = response.json<{ code: string; errors: { field: string }[] }>();
        assert.equal(problem.code, 'validation_failed');
        assert.deepEqual(
          problem.errors.map((error) => error.field),
          [field],
        );
      });
    }
  });

  describe(`LLM errors through HTTP on ${target}`, () => {
    it('become problems: 503 llm_not_configured, 429 budget_exhausted naming the budget', async () => {
      const testDatabase = await createTestDatabase(target);
      const app = await buildApp({
        config: loadConfig({ RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'silent' }),
        database: testDatabase.database,
        version: 'test',
        logStream: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
        rateLimitNamespace: `lvlup-test:${randomUUID()}:`,
      });
      app.get('/test/not-configured', { config: { auth: 'public' } }, () => {
        throw new LlmNotConfiguredError();
      });
      app.get('/test/budget', { config: { auth: 'public' } }, () => {
        throw new BudgetExhaustedError({
          scope: 'agent',
          period: 'month',
          agentType: 'imperium',
          limit: 10,
          used: 12,
          resetsAt: new Date('2026-04-01T00:00:00Z'),
        });
      });
      await app.ready();
      try {
        const notConfigured = await app.inject({ method: 'GET', url: '/test/not-configured' });
        assert.equal(notConfigured.statusCode, 503);
        assert.match(String(notConfigured.headers['content-type']), /^application\/problem\+json/);
        const body = notConfigured.json<{ code: string; type: string; detail: string }>();
        assert.deepEqual([body.code, body.type], ['llm_not_configured', '/problems/llm_not_configured']);
        assert.match(body.detail, /OPENAI_API_KEY/);

        const budget = await app.inject({ method: 'GET', url: '/test/budget' });
        assert.equal(budget.statusCode, 429);
        const problem = budget.json<{ code: string; budget: Record<string, unknown> }>();
        assert.equal(problem.code, 'budget_exhausted');
        assert.deepEqual(problem.budget, {
          scope: 'agent',
          period: 'month',
          agent_type: 'imperium',
          limit: 10,
          used: 12,
          resets_at: '2026-04-01T00:00:00.000Z',
        });
      } finally {
        await app.close();
        await testDatabase.cleanup();
      }
    });
  });
}
