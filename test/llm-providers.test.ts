import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { LlmNotConfiguredError } from '../src/llm/language-model-errors.js';
import { createTestDatabase, databaseTargets, type TestDatabase } from './support/database.js';
import { startFakeLlmServer, type FakeLlmServer } from './support/fake-llm-server.js';
import { fakeProviderEnvironment, llmHarness } from './support/llm-harness.js';

/** list prices per million tokens of the default models (src/llm/prices.ts) */
const PRICES = { openai: { input: 0.15, output: 0.6 }, anthropic: { input: 1, output: 5 } } as const;

for (const target of databaseTargets()) {
  describe(`LLM providers on ${target}`, () => {
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

    for (const provider of ['openai', 'anthropic'] as const) {
      for (const streaming of [false, true]) {
        it(`${provider} ${streaming ? 'streaming (SSE)' : 'JSON'}: answers and records tokens and cost from the usage fields`, async () => {
          const harness = llmHarness(database, {
            ...fakeProviderEnvironment(server),
            LLM_PROVIDER: provider,
            LLM_CACHE_TTL_SECONDS: '0',
          });
          server.reply({ kind: 'text', text: 'Use a prepared statement here.', inputTokens: 1200, outputTokens: 300 });
          const taskId = randomUUID();
          const request = {
            agentType: 'imperium',
            taskId,
            purpose: 'explain',
            system: 'You review code.',
            prompt: 'What is wrong with this query?',
            temperature: 0,
            maxOutputTokens: 400,
          };
          const deltas: string[] = [];
          const result = streaming
            ? await harness.service.streamText({ ...request, onTextDelta: (delta) => deltas.push(delta) })
            : await harness.service.generateText(request);
          assert.equal(result.text, 'Use a prepared statement here.');
          if (streaming) {
            assert.ok(deltas.length > 1, 'the text arrived in pieces');
            assert.equal(deltas.join(''), result.text);
          }
          const model = provider === 'openai' ? 'gpt-4o-mini' : 'claude-haiku-4-5';
          const cost = (1200 * PRICES[provider].input + 300 * PRICES[provider].output) / 1e6;
          assert.deepEqual(
            { provider: result.provider, model: result.model, input: result.inputTokens, output: result.outputTokens },
            { provider, model, input: 1200, output: 300 },
          );
          assert.ok(Math.abs(result.costUsd - cost) < 1e-9);

          const [row, ...others] = await harness.usageRows();
          assert.equal(others.length, 0);
          assert.equal(row!.agentType, 'imperium');
          assert.equal(row!.taskId, taskId);
          assert.equal(row!.provider, provider);
          assert.equal(row!.model, model);
          assert.equal(row!.purpose, 'explain');
          assert.equal(row!.inputTokens, 1200);
          assert.equal(row!.outputTokens, 300);
          assert.ok(Math.abs(row!.costUsd - cost) < 1e-9);
          assert.equal(row!.costEstimated, true);
          assert.equal(row!.cached, false);
          assert.equal(row!.outcome, 'ok');
          assert.equal(row!.errorCode, null);
          assert.ok(row!.durationMs! >= 0);
          assert.equal(row!.createdAt.toISOString(), harness.clock.now().toISOString());

          const [sent] = server.requests;
          assert.equal(sent!.body.model, model);
          assert.equal(Boolean(sent!.body.stream), streaming);
          assert.equal(sent!.body.temperature, 0);
          if (provider === 'openai') {
            assert.equal(sent!.path, '/v1/chat/completions');
            assert.equal(sent!.headers.authorization, 'Bearer sk-test-openai');
            assert.equal(sent!.body.max_tokens ?? sent!.body.max_completion_tokens, 400);
            assert.deepEqual(sent!.body.messages, [
              { role: 'system', content: 'You review code.' },
              { role: 'user', content: 'What is wrong with this query?' },
            ]);
            if (streaming) assert.deepEqual(sent!.body.stream_options, { include_usage: true });
          } else {
            assert.equal(sent!.path, '/v1/messages');
            assert.equal(sent!.headers['x-api-key'], 'sk-ant-test');
            assert.ok(sent!.headers['anthropic-version'], 'sends anthropic-version');
            assert.equal(sent!.body.max_tokens, 400);
            assert.deepEqual(sent!.body.system, [{ type: 'text', text: 'You review code.' }]);
            assert.deepEqual(sent!.body.messages, [
              { role: 'user', content: [{ type: 'text', text: 'What is wrong with this query?' }] },
            ]);
          }
        });
      }
    }

    it('Ollama (OpenAI-compatible) answers through <base>/v1 with no key, and its tokens cost nothing', async () => {
      const harness = llmHarness(database, {
        OLLAMA_BASE_URL: server.origin,
        LLM_MODEL: 'llama3.1:8b',
        LLM_CACHE_TTL_SECONDS: '0',
      });
      server.reply({ kind: 'text', text: 'local answer', inputTokens: 50, outputTokens: 20 });
      const result = await harness.service.generateText({ agentType: 'guardian', purpose: 'p', prompt: 'hello' });
      assert.equal(result.text, 'local answer');
      assert.equal(result.provider, 'ollama');
      assert.equal(result.model, 'llama3.1:8b');
      assert.equal(server.requests[0]!.path, '/v1/chat/completions');
      assert.equal(server.requests[0]!.headers.authorization, undefined);
      const [row] = await harness.usageRows();
      assert.deepEqual([row!.inputTokens, row!.outputTokens, row!.costUsd, row!.costEstimated], [50, 20, 0, true]);
    });

    it('picks the model per agent (LLM_MODEL_<AGENT>, with a provider prefix)', async () => {
      const harness = llmHarness(database, {
        ...fakeProviderEnvironment(server),
        LLM_PROVIDER: 'openai',
        LLM_MODEL: 'gpt-4.1-mini',
        LLM_MODEL_GUARDIAN: 'anthropic:claude-sonnet-4-5',
        LLM_CACHE_TTL_SECONDS: '0',
      });
      assert.deepEqual(harness.service.modelsFor('guardian').primary, {
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
      });
      const guardian = await harness.service.generateText({ agentType: 'guardian', purpose: 'p', prompt: 'a' });
      const imperium = await harness.service.generateText({ agentType: 'imperium', purpose: 'p', prompt: 'b' });
      assert.deepEqual(
        [guardian.provider, guardian.model, imperium.provider, imperium.model],
        ['anthropic', 'claude-sonnet-4-5', 'openai', 'gpt-4.1-mini'],
      );
      assert.deepEqual(
        server.requests.map((request) => [request.api, request.body.model]),
        [
          ['anthropic', 'claude-sonnet-4-5'],
          ['openai', 'gpt-4.1-mini'],
        ],
      );
    });

    it('records a model without a known price as cost 0 with cost_estimated false; LLM_PRICES prices it', async () => {
      const unpriced = llmHarness(database, {
        ...fakeProviderEnvironment(server),
        LLM_MODEL: 'my-fine-tune',
        LLM_CACHE_TTL_SECONDS: '0',
      });
      const first = await unpriced.service.generateText({ agentType: 'imperium', purpose: 'p', prompt: 'x' });
      assert.deepEqual([first.costUsd, first.costEstimated], [0, false]);
      const priced = llmHarness(database, {
        ...fakeProviderEnvironment(server),
        LLM_MODEL: 'my-fine-tune',
        LLM_PRICES: '{"my-fine-tune":{"input":1000,"output":2000}}',
        LLM_CACHE_TTL_SECONDS: '0',
      });
      server.reply({ kind: 'text', text: 'ok', inputTokens: 10, outputTokens: 5 });
      const second = await priced.service.generateText({ agentType: 'imperium', purpose: 'p', prompt: 'x' });
      assert.deepEqual([second.costUsd, second.costEstimated], [0.02, true]);
      const rows = await priced.usageRows();
      assert.deepEqual(
        rows.map((row) => [row.costUsd, row.costEstimated]),
        [
          [0, false],
          [0.02, true],
        ],
      );
    });

    it('Anthropic structured output through the `json` tool (models without native structured output)', async () => {
      const harness = llmHarness(database, {
        ...fakeProviderEnvironment(server),
        LLM_PROVIDER: 'anthropic',
        LLM_MODEL: 'claude-3-haiku-20240307',
        LLM_CACHE_TTL_SECONDS: '0',
      });
      server.reply({ kind: 'json', value: { severity: 'high', line: 12 }, inputTokens: 30, outputTokens: 12 });
      const result = await harness.service.generateObject({
        agentType: 'guardian',
        purpose: 'classify',
        prompt: 'Classify the finding.',
        schema: z.object({ severity: z.enum(['low', 'high']), line: z.number().int() }),
      });
      assert.deepEqual(result.object, { severity: 'high', line: 12 });
      const tools = server.requests[0]!.body.tools as { name: string }[];
      assert.deepEqual(
        tools.map((tool) => tool.name),
        ['json'],
      );
      const [row] = await harness.usageRows();
      assert.deepEqual([row!.inputTokens, row!.outputTokens, row!.outcome], [30, 12, 'ok']);
    });

    it('without a provider: not configured, every call refuses with llm_not_configured and sends nothing', async () => {
      const harness = llmHarness(database, {});
      assert.equal(harness.service.isConfigured(), false);
      const status = harness.service.status();
      assert.equal(status.configured, false);
      assert.deepEqual(status.providers, []);
      assert.match(status.problem ?? '', /OPENAI_API_KEY/);
      await assert.rejects(
        harness.service.generateText({ agentType: 'imperium', purpose: 'p', prompt: 'x' }),
        (error: unknown) => error instanceof LlmNotConfiguredError && error.code === 'llm_not_configured',
      );
      await assert.rejects(
        harness.service.generateObject({ agentType: 'imperium', purpose: 'p', prompt: 'x', schema: z.object({}) }),
        LlmNotConfiguredError,
      );
      assert.equal(server.requests.length, 0);
      assert.deepEqual(await harness.usageRows(), []);
    });

    it('a provider named by LLM_PROVIDER but not configured is not configured either', () => {
      const harness = llmHarness(database, { OPENAI_API_KEY: 'sk-x', LLM_PROVIDER: 'anthropic' });
      assert.equal(harness.service.isConfigured(), false);
      assert.match(harness.service.status().problem ?? '', /anthropic, which is not configured/);
    });

    it('reports configured providers and their circuits', () => {
      const harness = llmHarness(database, { ...fakeProviderEnvironment(server), LLM_FALLBACK_PROVIDER: 'anthropic' });
      const status = harness.service.status();
      assert.equal(status.configured, true);
      assert.equal(status.default_provider, 'openai');
      assert.equal(status.fallback_provider, 'anthropic');
      assert.deepEqual(
        status.providers.map((entry) => [entry.provider, entry.circuit, entry.base_url]),
        [
          ['openai', 'closed', server.baseUrl],
          ['anthropic', 'closed', server.baseUrl],
          ['ollama', 'closed', server.baseUrl],
        ],
      );
    });
  });
}
