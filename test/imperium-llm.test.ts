import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { tokenUsage } from '../src/db/schema.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { startFakeLlmServer, type FakeLlmServer } from './support/fake-llm-server.js';
import { fakeProviderEnvironment } from './support/llm-harness.js';

const CODE = [
  'export function find(list) {',
  '  const unused = 42;',
  '  let total = 0;',
  '  for (const value of list) total += value;',
  '  return total;',
  '}',
  '',
].join('\n');

for (const target of databaseTargets()) {
  describe(`Imperium's LLM pass on ${target}`, () => {
    let t: TestApp;
    let server: FakeLlmServer;
    let key: string;

    before(async () => {
      server = await startFakeLlmServer();
      t = await createTestApp(target, {
        environment: {
          ...fakeProviderEnvironment(server),
          LLM_PROVIDER: 'openai',
          LLM_MODEL: 'gpt-4o-mini',
          LLM_CACHE_TTL_SECONDS: '0',
        },
      });
      key = await t.createKey(['agents:run', 'agents:read']);
    });
    after(async () => {
      await t.close();
      await server.close();
    });

    const optimize = () =>
      t.request({
        method: 'POST',
        url: '/imperium/optimize',
        key,
        payload: { code: CODE, file_path: 'src/find.js', use_llm: true },
      });

    it('adds the model’s changes after the engine’s, marked llm, with the tokens accounted', async () => {
      server.reset();
      const engineOnly = await t.request({
        method: 'POST',
        url: '/imperium/optimize',
        key,
        payload: { code: CODE, file_path: 'src/find.js' },
      });
      const improved = engineOnly
        .json()
        .optimized_code.replace(
          'let total = 0;\n  for (const value of list) total += value;\n  return total;',
          'return list.reduce((sum, value) => sum + value, 0);',
        );
      assert.notEqual(improved, engineOnly.json().optimized_code);
      server.reply({
        kind: 'json',
        value: {
          optimized_code: improved,
          changes: [{ line: 3, explanation: 'sum with reduce', expected_impact: 'maintainability' }],
        },
        inputTokens: 321,
        outputTokens: 54,
      });
      const response = await optimize();
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      assert.equal(body.optimized_code, improved);
      assert.equal(body.llm_rejected, null);
      assert.deepEqual(
        body.changes.map((change: { source: string; rule_id: string }) => [change.source, change.rule_id]),
        [
          ['engine', 'js.unused-variable'],
          ['llm', 'llm.optimization'],
        ],
      );
      assert.match(body.diff, /reduce/);
      const request = server.requests[0]!;
      assert.equal(request.body.model, 'gpt-4o-mini');
      assert.ok(!JSON.stringify(request.body.messages).includes('unused'), 'the prompt carries the engine output');
      const usage = await t.database.orm.select().from(tokenUsage).where(eq(tokenUsage.purpose, 'imperium.optimize'));
      assert.equal(usage.length, 1);
      assert.equal(usage[0]!.agentType, 'imperium');
      assert.equal(usage[0]!.inputTokens, 321);
      assert.equal(usage[0]!.outputTokens, 54);
    });

    it('drops an answer that introduces a vulnerability, naming Guardian', async () => {
      server.reset();
      const dangerous =
        "const { exec } = require('child_process');\n" +
        "app.get('/files', (req, res) => {\n  exec('ls ' + req.query.dir);\n  res.send('ok');\n});\n" +
        CODE;
      server.reply({ kind: 'json', value: { optimized_code: dangerous, changes: [] } });
      const body = (await optimize()).json();
      assert.match(body.llm_rejected, /^Guardian: /);
      assert.ok(!body.optimized_code.includes('exec('));
      assert.ok(body.changes.every((change: { source: string }) => change.source === 'engine'));
    });

    it('drops an answer that does not parse', async () => {
      server.reset();
      server.reply({ kind: 'json', value: { optimized_code: 'export function find(list {', changes: [] } });
      const body = (await optimize()).json();
      assert.equal(body.llm_rejected, 'the model answered code that does not parse');
      assert.ok(!body.optimized_code.includes('unused'), 'the engine’s change stands');
    });

    it('shows the configured provider in readiness', async () => {
      const ready = (await t.request({ method: 'GET', url: '/health/ready' })).json();
      assert.equal(ready.llm.configured, true);
      assert.equal(ready.llm.default_provider, 'openai');
      assert.equal(
        ready.llm.providers.find((provider: { provider: string }) => provider.provider === 'openai').circuit,
        'closed',
      );
    });
  });
}
