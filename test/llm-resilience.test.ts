import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { llmBudgetReservations, llmResponseCache, tokenUsage } from '../src/db/schema.js';
import { CircuitOpenError, LlmProviderError } from '../src/llm/language-model-errors.js';
import { retryAfterMs } from '../src/llm/retry-policy.js';
import { eventually } from './support/app.js';
import { createTestDatabase, databaseTargets, type TestDatabase } from './support/database.js';
import { startFakeLlmServer, type FakeLlmServer } from './support/fake-llm-server.js';
import { fakeProviderEnvironment, llmHarness } from './support/llm-harness.js';

const request = { agentType: 'imperium', purpose: 'test', prompt: 'hello' } as const;

/** Asserts a rejection with LlmProviderError and answers its details. */
async function providerError(promise: Promise<unknown>): Promise<LlmProviderError['details']> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof LlmProviderError, `expected LlmProviderError, got ${String(error)}`);
    assert.equal(error.code, 'llm_provider_error');
    return error.details;
  }
  assert.fail('the call succeeded');
}

describe('Retry-After', () => {
  const now = new Date('2026-03-15T12:00:00Z');
  it('reads seconds, an HTTP date and retry-after-ms', () => {
    assert.equal(retryAfterMs({ 'retry-after': '7' }, now), 7000);
    assert.equal(retryAfterMs({ 'Retry-After': '1.5' }, now), 1500);
    assert.equal(retryAfterMs({ 'retry-after': 'Sun, 15 Mar 2026 12:00:30 GMT' }, now), 30_000);
    assert.equal(retryAfterMs({ 'retry-after': 'Sun, 15 Mar 2026 11:00:00 GMT' }, now), 0);
    assert.equal(retryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' }, now), 250);
    assert.equal(retryAfterMs({ 'retry-after': 'soon' }, now), undefined);
    assert.equal(retryAfterMs({}, now), undefined);
  });
});

for (const target of databaseTargets()) {
  describe(`LLM retries, timeouts, circuit and fallback on ${target}`, () => {
    let database: TestDatabase;
    let server: FakeLlmServer;
    // One database for the file: every test makes its own service (own circuit, own clock), and starts
    // from empty LLM tables, which is all these tests read.
    before(async () => {
      server = await startFakeLlmServer();
      database = await createTestDatabase(target);
    });
    after(async () => {
      await server.close();
      await database.cleanup();
    });
    beforeEach(async () => {
      const { orm } = database.database;
      await orm.delete(tokenUsage);
      await orm.delete(llmResponseCache);
      await orm.delete(llmBudgetReservations);
      server.reset();
    });

    const harnessFor = (environment: Record<string, string> = {}, timeoutMs?: number) =>
      llmHarness(
        database,
        { ...fakeProviderEnvironment(server), LLM_CACHE_TTL_SECONDS: '0', ...environment },
        timeoutMs === undefined ? {} : { timeoutMs },
      );

    for (const provider of ['openai', 'anthropic'] as const) {
      it(`${provider}: waits as long as Retry-After says (seconds), then succeeds`, async () => {
        const harness = harnessFor({ LLM_PROVIDER: provider });
        server.reply({ kind: 'error', status: 429, headers: { 'retry-after': '7' } }, { kind: 'text', text: 'ok' });
        const result = await harness.service.generateText(request);
        assert.equal(result.text, 'ok');
        assert.deepEqual(harness.waits, [7000]);
        assert.equal(server.requests.length, 2);
        const rows = await harness.usageRows();
        assert.deepEqual(
          rows.map((row) => [row.outcome, row.inputTokens, row.outputTokens]),
          [['ok', 10, 5]],
        );
      });
    }

    it('honours Retry-After given as an HTTP date (against the injected clock)', async () => {
      const harness = harnessFor();
      const at = new Date(harness.clock.now().getTime() + 30_000).toUTCString();
      server.reply({ kind: 'error', status: 503, headers: { 'retry-after': at } }, { kind: 'text', text: 'ok' });
      await harness.service.generateText(request);
      assert.deepEqual(harness.waits, [30_000]);
    });

    it('does not wait when the provider asks for more than a minute: fails at once, saying how long', async () => {
      const harness = harnessFor();
      server.reply({ kind: 'error', status: 429, headers: { 'retry-after': '3600' } });
      const details = await providerError(harness.service.generateText(request));
      assert.deepEqual(
        [details.reason, details.status, details.retryAfterSeconds, details.attempts],
        ['llm_rate_limited', 429, 3600, 1],
      );
      assert.deepEqual(harness.waits, []);
    });

    it('500s are retried with exponential backoff, bounded by LLM_MAX_RETRIES, then recorded as an error', async () => {
      const harness = harnessFor({ LLM_MAX_RETRIES: '2', LLM_PROVIDER: 'anthropic' });
      server.reply({ kind: 'error', status: 500 }, { kind: 'error', status: 500 }, { kind: 'error', status: 500 });
      const details = await providerError(harness.service.generateText(request));
      assert.deepEqual(
        [details.reason, details.status, details.retryable, details.attempts, details.provider],
        ['llm_server_error', 500, true, 3, 'anthropic'],
      );
      assert.equal(server.requests.length, 3);
      // random() = 0.5: half of 500 ms · 2^(n−1) fixed plus a quarter of it
      assert.deepEqual(harness.waits, [375, 750]);
      const rows = await harness.usageRows();
      assert.deepEqual(
        rows.map((row) => [row.provider, row.outcome, row.errorCode, row.inputTokens, row.outputTokens]),
        [['anthropic', 'error', 'llm_server_error', 0, 0]],
      );
    });

    it('a 500 then an answer: one retry, one ok row', async () => {
      const harness = harnessFor();
      server.reply({ kind: 'error', status: 500 }, { kind: 'text', text: 'second time lucky', outputTokens: 9 });
      const result = await harness.service.generateText(request);
      assert.equal(result.text, 'second time lucky');
      assert.equal(harness.waits.length, 1);
      const rows = await harness.usageRows();
      assert.deepEqual(
        rows.map((row) => [row.outcome, row.outputTokens]),
        [['ok', 9]],
      );
    });

    it('a request the provider rejects (400) is not retried', async () => {
      const harness = harnessFor();
      server.reply({ kind: 'error', status: 400, message: 'bad model' });
      const details = await providerError(harness.service.generateText(request));
      assert.deepEqual([details.reason, details.retryable, details.attempts], ['llm_request_rejected', false, 1]);
      assert.equal(harness.service.status().providers[0]!.consecutive_failures, 0, 'not held against the provider');
    });

    for (const provider of ['openai', 'anthropic'] as const) {
      for (const streaming of [false, true]) {
        it(`${provider}: malformed JSON ${streaming ? 'in a stream' : 'in a 200 response'} is a typed error, recorded`, async () => {
          const harness = harnessFor({ LLM_PROVIDER: provider });
          server.reply({ kind: 'malformed' });
          const call = streaming
            ? harness.service.streamText({ ...request, onTextDelta: () => {} })
            : harness.service.generateText(request);
          const details = await providerError(call);
          assert.equal(details.reason, 'llm_invalid_response');
          assert.equal(details.retryable, false);
          assert.equal(server.requests.length, 1);
          const rows = await harness.usageRows();
          assert.deepEqual(
            rows.map((row) => [row.outcome, row.errorCode]),
            [['error', 'llm_invalid_response']],
          );
        });
      }
    }

    it('times out a slow answer (llm_timeout), and retries it when allowed', async () => {
      const strict = harnessFor({ LLM_MAX_RETRIES: '0' }, 500);
      server.reply({ kind: 'text', text: 'too late', delayMs: 4000 });
      const details = await providerError(strict.service.generateText(request));
      assert.deepEqual([details.reason, details.attempts], ['llm_timeout', 1]);
      const rows = await strict.usageRows();
      assert.deepEqual(
        rows.map((row) => row.errorCode),
        ['llm_timeout'],
      );

      const patient = harnessFor({ LLM_MAX_RETRIES: '1' }, 500);
      server.reply({ kind: 'text', text: 'too late', delayMs: 4000 }, { kind: 'text', text: 'in time' });
      const result = await patient.service.generateText(request);
      assert.equal(result.text, 'in time');
    });

    it("a caller's abort stops the call without retrying", async () => {
      const harness = harnessFor({ LLM_MAX_RETRIES: '3' }, 5000);
      server.reply({ kind: 'text', text: 'slow', delayMs: 2000 });
      const controller = new AbortController();
      const call = harness.service.generateText({ ...request, signal: controller.signal });
      await eventually(server.arrivals, async () => (server.requests.length === 1 ? true : undefined));
      controller.abort(new Error('task cancelled'));
      await assert.rejects(call, /task cancelled/);
      assert.equal(server.requests.length, 1);
      const rows = await harness.usageRows();
      assert.deepEqual(
        rows.map((row) => row.errorCode),
        ['aborted'],
      );
    });

    it('the circuit opens after LLM_CIRCUIT_FAILURE_THRESHOLD failures, refuses without sending, and half-opens after LLM_CIRCUIT_OPEN_SECONDS', async () => {
      const harness = harnessFor({
        LLM_MAX_RETRIES: '0',
        LLM_CIRCUIT_FAILURE_THRESHOLD: '2',
        LLM_CIRCUIT_OPEN_SECONDS: '30',
      });
      server.reply({ kind: 'error', status: 502 }, { kind: 'error', status: 502 });
      await providerError(harness.service.generateText(request));
      assert.equal(harness.service.status().providers[0]!.circuit, 'closed');
      await providerError(harness.service.generateText(request));
      const open = harness.service.status().providers[0]!;
      assert.equal(open.circuit, 'open');
      assert.equal(open.retry_at, new Date(harness.clock.now().getTime() + 30_000).toISOString());

      await assert.rejects(harness.service.generateText(request), (error: unknown) => {
        assert.ok(error instanceof CircuitOpenError);
        assert.equal(error.code, 'circuit_open');
        assert.equal(error.provider, 'openai');
        return true;
      });
      assert.equal(server.requests.length, 2, 'nothing sent while open');

      harness.clock.advance(30_000);
      server.reply({ kind: 'text', text: 'back' });
      assert.equal((await harness.service.generateText(request)).text, 'back');
      assert.equal(harness.service.status().providers[0]!.circuit, 'closed');

      // a failed trial opens it again
      server.reply({ kind: 'error', status: 500 }, { kind: 'error', status: 500 }, { kind: 'error', status: 500 });
      await providerError(harness.service.generateText(request));
      await providerError(harness.service.generateText(request));
      harness.clock.advance(30_000);
      await providerError(harness.service.generateText(request));
      assert.equal(harness.service.status().providers[0]!.circuit, 'open');
    });

    it('the fallback provider answers when the primary fails after its retries, and while its circuit is open', async () => {
      const harness = harnessFor({
        LLM_PROVIDER: 'openai',
        LLM_FALLBACK_PROVIDER: 'anthropic',
        LLM_FALLBACK_MODEL: 'claude-sonnet-4-5',
        LLM_MAX_RETRIES: '1',
        LLM_CIRCUIT_FAILURE_THRESHOLD: '2',
      });
      server.reply(
        { kind: 'error', status: 500 },
        { kind: 'error', status: 503 },
        { kind: 'text', text: 'from anthropic', inputTokens: 100, outputTokens: 10 },
      );
      const first = await harness.service.generateText(request);
      assert.deepEqual(
        [first.text, first.provider, first.model, first.fellBack],
        ['from anthropic', 'anthropic', 'claude-sonnet-4-5', true],
      );
      assert.equal(harness.service.status().providers[0]!.circuit, 'open');

      server.reply({ kind: 'text', text: 'still anthropic' });
      const second = await harness.service.generateText(request);
      assert.equal(second.provider, 'anthropic');
      assert.deepEqual(
        server.requests.map((entry) => entry.api),
        ['openai', 'openai', 'anthropic', 'anthropic'],
      );
      const rows = await harness.usageRows();
      assert.deepEqual(
        rows.map((row) => [row.provider, row.outcome, row.errorCode, row.inputTokens]),
        [
          ['openai', 'error', 'llm_server_error', 0],
          ['anthropic', 'ok', null, 100],
          ['anthropic', 'ok', null, 10],
        ],
      );
    });
  });
}
