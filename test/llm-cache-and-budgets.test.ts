import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { z } from 'zod';
import { llmBudgetReservations } from '../src/db/schema.js';
import { BudgetExhaustedError } from '../src/llm/language-model-errors.js';
import { recordUsage } from '../src/llm/token-usage-store.js';
import { problemOfDomainError } from '../src/server/problem-table.js';
import { createTestDatabase, databaseTargets, type TestDatabase } from './support/database.js';
import { startFakeLlmServer, type FakeLlmServer } from './support/fake-llm-server.js';
import { fakeProviderEnvironment, llmHarness } from './support/llm-harness.js';

const ask = (agentType = 'imperium', prompt = 'hello') => ({ agentType, purpose: 'test', prompt });

/** Asserts a BudgetExhaustedError and answers which budget it names. */
async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof BudgetExhaustedError, `expected BudgetExhaustedError, got ${String(error)}`);
    assert.equal(error.code, 'budget_exhausted');
    return error.budget;
  }
  assert.fail('the call was not refused');
}

for (const target of databaseTargets()) {
  describe(`LLM response cache and budgets on ${target}`, () => {
    let database: TestDatabase;
    let server: FakeLlmServer;
    before(async () => {
      server = await startFakeLlmServer();
    });
    after(() => server.close());
    beforeEach(async () => {
      database = await createTestDatabase(target);
      server.reset();
    });
    afterEach(() => database.cleanup());

    it('an exact repeat is answered from the cache: nothing sent, a cached row with 0 tokens', async () => {
      const harness = llmHarness(database, { ...fakeProviderEnvironment(server), LLM_CACHE_TTL_SECONDS: '600' });
      server.reply({ kind: 'text', text: 'fresh', inputTokens: 100, outputTokens: 50 });
      const first = await harness.service.generateText({ ...ask(), temperature: 0 });
      const second = await harness.service.generateText({ ...ask(), temperature: 0 });
      assert.deepEqual([first.text, first.cached], ['fresh', false]);
      assert.deepEqual(
        [second.text, second.cached, second.inputTokens, second.outputTokens, second.costUsd],
        ['fresh', true, 0, 0, 0],
      );
      assert.equal(server.requests.length, 1);
      const rows = await harness.usageRows();
      assert.deepEqual(
        rows.map((row) => [row.cached, row.inputTokens, row.outputTokens, row.costUsd, row.outcome]),
        [
          [false, 100, 50, rows[0]!.costUsd, 'ok'],
          [true, 0, 0, 0, 'ok'],
        ],
      );

      // another parameter, prompt or agent model is another key; a streamed call is served from the cache too
      await harness.service.generateText({ ...ask(), temperature: 0.7 });
      await harness.service.generateText({ ...ask('imperium', 'other prompt'), temperature: 0 });
      assert.equal(server.requests.length, 3);
      const deltas: string[] = [];
      const streamed = await harness.service.streamText({
        ...ask(),
        temperature: 0,
        onTextDelta: (d) => deltas.push(d),
      });
      assert.deepEqual([streamed.cached, deltas], [true, ['fresh']]);

      // cache: false neither reads nor writes
      await harness.service.generateText({ ...ask(), temperature: 0, cache: false });
      assert.equal(server.requests.length, 4);

      // after the TTL the provider is asked again
      harness.clock.advance(601_000);
      server.reply({ kind: 'text', text: 'newer' });
      assert.equal((await harness.service.generateText({ ...ask(), temperature: 0 })).text, 'newer');
      assert.equal(server.requests.length, 5);
    });

    it('caches validated objects (keyed by the schema too)', async () => {
      const harness = llmHarness(database, fakeProviderEnvironment(server));
      const schema = z.object({ answer: z.number() });
      server.reply({ kind: 'json', value: { answer: 42 } });
      const request = { ...ask(), schema };
      await harness.service.generateObject(request);
      const again = await harness.service.generateObject(request);
      assert.deepEqual([again.object, again.cached], [{ answer: 42 }, true]);
      assert.equal(server.requests.length, 1);
      server.reply({ kind: 'json', value: { answer: 'forty-two' } });
      await harness.service.generateObject({ ...ask(), schema: z.object({ answer: z.string() }) });
      assert.equal(server.requests.length, 2);
    });

    it('LLM_CACHE_TTL_SECONDS=0 disables the cache', async () => {
      const harness = llmHarness(database, { ...fakeProviderEnvironment(server), LLM_CACHE_TTL_SECONDS: '0' });
      await harness.service.generateText(ask());
      await harness.service.generateText(ask());
      assert.equal(server.requests.length, 2);
    });

    it('the global daily budget refuses before calling (nothing sent), until the next UTC day', async () => {
      const harness = llmHarness(database, {
        ...fakeProviderEnvironment(server),
        LLM_CACHE_TTL_SECONDS: '0',
        LLM_DAILY_TOKEN_BUDGET: '100',
      });
      server.reply(
        { kind: 'text', text: 'a', inputTokens: 60, outputTokens: 30 },
        { kind: 'text', text: 'b', inputTokens: 10, outputTokens: 5 },
      );
      await harness.service.generateText(ask('imperium'));
      await harness.service.generateText(ask('guardian'));
      const budget = await refusal(harness.service.generateText(ask('sandbox')));
      assert.deepEqual(budget, {
        scope: 'global',
        period: 'day',
        agentType: undefined,
        limit: 100,
        used: 105,
        resetsAt: new Date('2026-03-16T00:00:00Z'),
      });
      assert.equal(server.requests.length, 2, 'the refused call sent nothing');
      assert.equal((await harness.usageRows()).length, 2, 'and recorded nothing');

      const problem = problemOfDomainError(new BudgetExhaustedError(budget));
      assert.deepEqual([problem.status, problem.code], [429, 'budget_exhausted']);
      assert.deepEqual(problem.extensions.budget, {
        scope: 'global',
        period: 'day',
        limit: 100,
        used: 105,
        resets_at: '2026-03-16T00:00:00.000Z',
      });

      harness.clock.set(new Date('2026-03-16T00:00:01Z'));
      await harness.service.generateText(ask('sandbox'));
      assert.equal(server.requests.length, 3);
    });

    it('the global monthly budget counts every day of the UTC month', async () => {
      const harness = llmHarness(database, {
        ...fakeProviderEnvironment(server),
        LLM_CACHE_TTL_SECONDS: '0',
        LLM_MONTHLY_TOKEN_BUDGET: '1000',
      });
      const row = {
        taskId: undefined,
        provider: 'openai' as const,
        model: 'gpt-4o-mini',
        purpose: undefined,
        costUsd: 0,
        costEstimated: true,
        cached: false,
        outcome: 'ok' as const,
        errorCode: undefined,
        durationMs: 1,
      };
      // last month's spending does not count; this month's does
      await recordUsage(database.database.orm, {
        ...row,
        agentType: 'guardian',
        inputTokens: 5000,
        outputTokens: 0,
        createdAt: new Date('2026-02-28T23:59:59Z'),
      });
      await harness.service.generateText(ask());
      await recordUsage(database.database.orm, {
        ...row,
        agentType: 'guardian',
        inputTokens: 990,
        outputTokens: 0,
        createdAt: new Date('2026-03-01T00:00:00Z'),
      });
      const budget = await refusal(harness.service.generateText(ask()));
      assert.deepEqual([budget.scope, budget.period, budget.used, budget.limit], ['global', 'month', 1005, 1000]);
      assert.equal(budget.resetsAt.toISOString(), '2026-04-01T00:00:00.000Z');
      assert.equal(server.requests.length, 1);
    });

    it('per-agent daily and monthly budgets refuse that agent only', async () => {
      const harness = llmHarness(database, {
        ...fakeProviderEnvironment(server),
        LLM_CACHE_TTL_SECONDS: '0',
        LLM_DAILY_TOKEN_BUDGET_GUARDIAN: '15',
        LLM_MONTHLY_TOKEN_BUDGET_MY_AGENT: '30',
      });
      await harness.service.generateText(ask('guardian'));
      const daily = await refusal(harness.service.generateText(ask('guardian')));
      assert.deepEqual(
        [daily.scope, daily.period, daily.agentType, daily.used, daily.limit],
        ['agent', 'day', 'guardian', 15, 15],
      );
      await harness.service.generateText(ask('imperium'));

      await harness.service.generateText(ask('my-agent'));
      harness.clock.advance(24 * 3600 * 1000);
      await harness.service.generateText(ask('my-agent'));
      const monthly = await refusal(harness.service.generateText(ask('my-agent')));
      assert.deepEqual(
        [monthly.scope, monthly.period, monthly.agentType, monthly.used],
        ['agent', 'month', 'my-agent', 30],
      );
      assert.equal(server.requests.length, 4);
    });

    it('counts the calls in flight: concurrent calls cannot all start on an unspent budget', async () => {
      const harness = llmHarness(database, {
        ...fakeProviderEnvironment(server),
        LLM_CACHE_TTL_SECONDS: '0',
        LLM_DAILY_TOKEN_BUDGET: '400',
      });
      // Each call holds about 8 + 200 tokens while it runs (its prompt and maxOutputTokens): the first two
      // fit under 400 together, the next ones find the budget taken by the calls in flight.
      const slow = { kind: 'text' as const, text: 'done', inputTokens: 50, outputTokens: 20, delayMs: 400 };
      server.reply(slow, slow);
      const outcomes = await Promise.all(
        [0, 1, 2, 3].map((index) =>
          harness.service.generateText({ ...ask('imperium', `q${index}`), maxOutputTokens: 200 }).then(
            () => 'answered',
            (error: unknown) => (error instanceof BudgetExhaustedError ? error.budget.used : error),
          ),
        ),
      );
      assert.equal(outcomes.filter((outcome) => outcome === 'answered').length, 2, JSON.stringify(outcomes));
      for (const outcome of outcomes.filter((entry) => entry !== 'answered')) {
        assert.ok(typeof outcome === 'number' && outcome >= 400, `refused with ${String(outcome)} in use`);
      }
      assert.equal(server.requests.length, 2, 'the refused calls sent nothing');
      assert.equal(
        (await database.database.orm.select().from(llmBudgetReservations)).length,
        0,
        'every reservation released',
      );

      // Afterwards only what was spent counts: 2 × 70 tokens.
      server.reset();
      server.reply({ kind: 'text', text: 'later', inputTokens: 5, outputTokens: 5 });
      assert.equal((await harness.service.generateText({ ...ask(), maxOutputTokens: 200 })).text, 'later');
    });

    it('a reservation left by a crashed call stops counting when it expires', async () => {
      const harness = llmHarness(database, {
        ...fakeProviderEnvironment(server),
        LLM_CACHE_TTL_SECONDS: '0',
        LLM_DAILY_TOKEN_BUDGET: '400',
      });
      const now = harness.clock.now();
      await database.database.orm
        .insert(llmBudgetReservations)
        .values({ agentType: 'imperium', tokens: 1000, expiresAt: new Date(now.getTime() + 60_000) });
      await refusal(harness.service.generateText(ask()));
      harness.clock.advance(61_000);
      server.reply({ kind: 'text', text: 'free again' });
      assert.equal((await harness.service.generateText(ask())).text, 'free again');
      assert.equal((await database.database.orm.select().from(llmBudgetReservations)).length, 0);
    });

    it('a budget of 0 refuses every call', async () => {
      const harness = llmHarness(database, { ...fakeProviderEnvironment(server), LLM_MONTHLY_TOKEN_BUDGET: '0' });
      await refusal(harness.service.generateText(ask()));
      await refusal(harness.service.generateObject({ ...ask(), schema: z.object({}) }));
      assert.equal(server.requests.length, 0);
    });
  });
}
