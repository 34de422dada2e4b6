import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { z } from 'zod';
import { LlmInvalidOutputError } from '../src/llm/language-model-errors.js';
import { createTestDatabase, databaseTargets, type TestDatabase } from './support/database.js';
import { startFakeLlmServer, type FakeLlmServer } from './support/fake-llm-server.js';
import { fakeProviderEnvironment, llmHarness } from './support/llm-harness.js';

const finding = z.object({
  severity: z.enum(['low', 'medium', 'high']),
  line: z.number().int().min(1),
  explanation: z.string().min(1),
});

for (const target of databaseTargets()) {
  describe(`LLM structured output on ${target}`, () => {
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
      it(`${provider}: asks for the schema, and an invalid answer is repaired by the one retry that names the problem`, async () => {
        const harness = llmHarness(database, {
          ...fakeProviderEnvironment(server),
          LLM_PROVIDER: provider,
          LLM_CACHE_TTL_SECONDS: '0',
        });
        server.reply(
          { kind: 'json', value: { severity: 'urgent', line: 0, explanation: 'x' }, inputTokens: 40, outputTokens: 20 },
          {
            kind: 'json',
            value: { severity: 'high', line: 3, explanation: 'tainted input reaches exec' },
            inputTokens: 90,
            outputTokens: 25,
          },
        );
        const result = await harness.service.generateObject({
          agentType: 'guardian',
          purpose: 'triage',
          prompt: 'Triage this finding.',
          schema: finding,
          schemaName: 'finding',
        });
        assert.deepEqual(result.object, { severity: 'high', line: 3, explanation: 'tainted input reaches exec' });
        assert.equal(result.repaired, true);
        assert.deepEqual([result.inputTokens, result.outputTokens], [130, 45]);

        const [first, repair] = server.requests;
        if (provider === 'openai') {
          const format = first!.body.response_format as { type: string; json_schema: { schema: unknown } };
          assert.equal(format.type, 'json_schema');
          assert.deepEqual((format.json_schema.schema as { required: string[] }).required, [
            'severity',
            'line',
            'explanation',
          ]);
        } else {
          const format = (first!.body.output_config as { format: { type: string } }).format;
          assert.equal(format.type, 'json_schema');
        }
        const messages = repair!.body.messages!;
        assert.equal(messages.length, 3);
        assert.equal(messages[1]!.role, 'assistant');
        assert.match(JSON.stringify(messages[1]!.content), /urgent/);
        assert.equal(messages[2]!.role, 'user');
        const instruction = JSON.stringify(messages[2]!.content);
        assert.match(instruction, /does not match the required JSON schema/);
        assert.match(instruction, /severity/);
        assert.match(instruction, /line/);

        const rows = await harness.usageRows();
        assert.deepEqual(
          rows.map((row) => [row.purpose, row.outcome, row.errorCode, row.inputTokens, row.outputTokens]),
          [
            ['triage', 'error', 'llm_invalid_output', 40, 20],
            ['triage (repair)', 'ok', null, 90, 25],
          ],
        );
      });
    }

    it('text that is not JSON is repaired too', async () => {
      const harness = llmHarness(database, { ...fakeProviderEnvironment(server), LLM_CACHE_TTL_SECONDS: '0' });
      server.reply(
        { kind: 'text', text: 'Sure! The severity is high.' },
        { kind: 'json', value: { severity: 'high', line: 1, explanation: 'because' } },
      );
      const result = await harness.service.generateObject({
        agentType: 'guardian',
        purpose: 'triage',
        prompt: 'Triage.',
        schema: finding,
      });
      assert.equal(result.object.severity, 'high');
      assert.match(JSON.stringify(server.requests[1]!.body.messages), /not valid JSON/);
    });

    it('invalid twice: llm_invalid_output, after exactly two requests, both recorded', async () => {
      const harness = llmHarness(database, { ...fakeProviderEnvironment(server), LLM_CACHE_TTL_SECONDS: '0' });
      server.reply(
        { kind: 'json', value: { severity: 'urgent', line: 1, explanation: 'a' } },
        { kind: 'json', value: { severity: 'high', line: -4, explanation: 'b' } },
      );
      await assert.rejects(
        harness.service.generateObject({
          agentType: 'guardian',
          purpose: 'triage',
          prompt: 'Triage.',
          schema: finding,
        }),
        (error: unknown) => {
          assert.ok(error instanceof LlmInvalidOutputError);
          assert.equal(error.code, 'llm_invalid_output');
          assert.match(error.issues, /line/);
          assert.match(error.text ?? '', /-4/);
          return true;
        },
      );
      assert.equal(server.requests.length, 2);
      const rows = await harness.usageRows();
      assert.deepEqual(
        rows.map((row) => [row.outcome, row.errorCode]),
        [
          ['error', 'llm_invalid_output'],
          ['error', 'llm_invalid_output'],
        ],
      );
    });
  });
}
