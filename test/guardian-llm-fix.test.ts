import assert from 'node:assert/strict';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { count, eq } from 'drizzle-orm';
import { guardianSuggestions, proposals, tokenUsage } from '../src/db/schema.js';
import { createTestApp, eventually, type TestApp, registerRepository } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { startFakeLlmServer, type FakeLlmServer } from './support/fake-llm-server.js';
import { fakeProviderEnvironment } from './support/llm-harness.js';
import { createRepository } from './support/repository-fixtures.js';

// A query built from request data: js.sql-injection, a rule without an automatic fix.
const USERS = [
  "const db = require('./db');",
  '',
  'function findUser(req, res) {',
  "  db.query('SELECT * FROM users WHERE id = ' + req.query.id, (error, rows) => res.json(rows));",
  '}',
  '',
  'module.exports = { findUser };',
  '',
].join('\n');
const FIXED_LINE = "  db.query('SELECT * FROM users WHERE id = ?', [req.query.id], (error, rows) => res.json(rows));";

interface Suggestion {
  id: string;
  rule_id: string;
  line: number;
  status: string;
  fix: unknown;
  proposal_id: string | null;
}

for (const target of databaseTargets()) {
  describe(`Approving a Guardian suggestion without an automatic fix on ${target}`, () => {
    let t: TestApp;
    let bare: TestApp;
    let server: FakeLlmServer;
    let workspace: string;
    let reviewer: string;

    before(async () => {
      workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-guardian-llm-fix-')));
      server = await startFakeLlmServer();
      const environment = { LVLUP_REPO_ROOTS: workspace, LVLUP_DATA_DIR: path.join(workspace, 'data') };
      t = await createTestApp(target, {
        environment: {
          ...environment,
          ...fakeProviderEnvironment(server),
          LLM_PROVIDER: 'openai',
          LLM_MODEL: 'gpt-4o-mini',
          LLM_CACHE_TTL_SECONDS: '0',
        },
        worker: { pollIntervalMs: 100 },
      });
      bare = await createTestApp(target, { environment, worker: { pollIntervalMs: 100 } });
      reviewer = await t.createKey(['agents:read', 'agents:run', 'proposals:read', 'proposals:write']);
    });
    after(async () => {
      await t.close();
      await bare.close();
      await server.close();
      await rm(workspace, { recursive: true, force: true });
    });

    /** A new repository holding USERS, scanned; answers its one SQL injection suggestion. */
    const suggestionIn = async (app: TestApp, key: string, name: string): Promise<Suggestion> => {
      const folder = path.join(workspace, name);
      await createRepository(folder, { 'src/users.js': USERS });
      const repositoryId = await registerRepository(app, folder);
      const started = await app.request({
        method: 'POST',
        url: '/agents/guardian/run',
        key,
        payload: { repository_id: repositoryId },
      });
      assert.equal(started.statusCode, 202, started.body);
      await eventually(
        app,
        async () => {
          const task = (await app.request({ method: 'GET', url: `/api/v1/tasks/${started.json().id}`, key })).json();
          return task.status === 'succeeded' ? task : undefined;
        },
        30_000,
      );
      const listed = await app.request({
        method: 'GET',
        url: `/guardian/suggestions?repository_id=${repositoryId}&rule_id=js.sql-injection`,
        key,
      });
      const [suggestion] = listed.json<Suggestion[]>();
      assert.ok(suggestion, listed.body);
      assert.equal(suggestion.fix, null, 'the rule has no automatic fix');
      return suggestion;
    };
    const approve = (app: TestApp, key: string, id: string, payload?: Record<string, unknown>) =>
      app.request({ method: 'POST', url: `/guardian/suggestions/${id}/approve`, key, ...(payload ? { payload } : {}) });
    const stored = async (app: TestApp, id: string) =>
      (await app.database.orm.select().from(guardianSuggestions).where(eq(guardianSuggestions.id, id)))[0]!;
    const proposalCount = async () => (await t.database.orm.select({ value: count() }).from(proposals))[0]!.value;

    it('asks the model for a fix, checks it, and proposes it', async () => {
      const suggestion = await suggestionIn(t, reviewer, 'shop');
      server.reset();
      server.reply({
        kind: 'json',
        value: {
          start_line: 4,
          end_line: 4,
          replacement: FIXED_LINE,
          explanation: 'The id is passed as a query parameter instead of being concatenated into the SQL.',
        },
        inputTokens: 300,
        outputTokens: 60,
      });
      const response = await approve(t, reviewer, suggestion.id);
      assert.equal(response.statusCode, 200, response.body);
      const approved = response.json<Suggestion>();
      assert.equal(approved.status, 'approved');
      assert.ok(approved.proposal_id);

      const proposal = (
        await t.request({ method: 'GET', url: `/proposals/${approved.proposal_id}`, key: reviewer })
      ).json();
      assert.equal(proposal.ai_type, 'guardian');
      assert.equal(proposal.rule_id, 'js.sql-injection');
      assert.equal(proposal.confidence, 0.7);
      assert.match(
        proposal.description,
        /^Fix written by openai\/gpt-4o-mini \(js\.sql-injection, src\/users\.js:4\)$/,
      );
      assert.match(proposal.rationale, /passed as a query parameter/);
      assert.equal(proposal.changes[0].code_after, USERS.replace(USERS.split('\n')[3]!, FIXED_LINE));
      // The security gate sees the finding resolved and nothing introduced.
      assert.deepEqual(
        proposal.findings.map((finding: Record<string, unknown>) => [
          finding.rule_id,
          finding.status,
          finding.introduced,
        ]),
        [['js.sql-injection', 'resolved', false]],
      );

      // The prompt shows numbered lines around the finding and names the rule.
      const prompt = JSON.stringify(server.requests[0]!.body.messages);
      assert.match(prompt, /js\.sql-injection/);
      assert.match(prompt, /4 \| {3}db\.query/);
      const usage = await t.database.orm.select().from(tokenUsage).where(eq(tokenUsage.purpose, 'guardian.fix'));
      assert.equal(usage.length, 1);
      assert.equal(usage[0]!.agentType, 'guardian');
      assert.equal(usage[0]!.inputTokens, 300);
    });

    it('rejects a fix that Guardian still flags, one that does not parse, and one outside the finding; nothing is stored', async () => {
      const suggestion = await suggestionIn(t, reviewer, 'bank');
      const before = await proposalCount();
      const answers: [Record<string, unknown>, RegExp][] = [
        [
          {
            start_line: 4,
            end_line: 4,
            replacement:
              '  db.query(`SELECT * FROM users WHERE id = ${req.query.id}`, (error, rows) => res.json(rows));',
            explanation: 'uses a template string',
          },
          /Guardian still finds js\.sql-injection/,
        ],
        [{ start_line: 4, end_line: 4, replacement: '  db.query(', explanation: 'half a line' }, /does not parse/],
        [
          { start_line: 7, end_line: 7, replacement: 'module.exports = {};', explanation: 'removes the export' },
          /do not touch the finding's lines 4-4/,
        ],
      ];
      for (const [value, reason] of answers) {
        server.reset();
        server.reply({ kind: 'json', value });
        const response = await approve(t, reviewer, suggestion.id);
        assert.equal(response.statusCode, 422, response.body);
        assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.equal(response.json().code, 'llm_fix_rejected');
        assert.match(response.json().reason, reason);
      }
      assert.equal(await proposalCount(), before, 'no proposal was created');
      const row = await stored(t, suggestion.id);
      assert.equal(row.status, 'pending');
      assert.equal(row.proposalId, null);

      // use_llm: false keeps the old answer: no automatic fix.
      const refused = await approve(t, reviewer, suggestion.id, { use_llm: false });
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json().code, 'no_automatic_fix');
      assert.match(refused.json().detail, /use_llm: true/);
    });

    it('without a provider answers 409 no_automatic_fix, and 503 llm_not_configured when use_llm is asked', async () => {
      const key = await bare.createKey(['agents:read', 'agents:run', 'proposals:write']);
      const suggestion = await suggestionIn(bare, key, 'plain');
      const refused = await approve(bare, key, suggestion.id);
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json().code, 'no_automatic_fix');
      const unavailable = await approve(bare, key, suggestion.id, { use_llm: true });
      assert.equal(unavailable.statusCode, 503, unavailable.body);
      assert.equal(unavailable.json().code, 'llm_not_configured');
      const invalid = await approve(bare, key, suggestion.id, { use_llm: 'yes' });
      assert.equal(invalid.statusCode, 400, invalid.body);
      assert.equal((await stored(bare, suggestion.id)).status, 'pending');
    });
  });
}
