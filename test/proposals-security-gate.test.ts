import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { proposals, repositories } from '../src/db/schema.js';
import { DEFAULT_REPOSITORY_POLICY } from '../src/repositories/policy.js';
import { createTestApp, type TestApp } from './support/app.js';
import { storeCustodyHistory } from './support/custody.js';
import { databaseTargets } from './support/database.js';
import { createGitFixture, type GitFixture } from './support/git-fixture.js';

const HANDLER = [
  "const express = require('express');",
  'const app = express();',
  '',
  "app.get('/run', (req, res) => {",
  '  res.json({ ok: true });',
  '});',
  '',
].join('\n');
const EVAL_HANDLER = HANDLER.replace(
  '  res.json({ ok: true });',
  '  const value = eval(req.query.x);\n  res.json({ value });',
);
const SQL_HANDLER = HANDLER.replace(
  '  res.json({ ok: true });',
  "  db.query('SELECT * FROM users WHERE id = ' + req.query.id);\n  res.send('ok');",
);
const VIEWS = [
  'from flask import request',
  '',
  'def show(cursor):',
  "    user_id = request.args['id']",
  '    return user_id',
  '',
].join('\n');
const SQL_VIEWS = VIEWS.replace(
  '    return user_id',
  '    cursor.execute("SELECT * FROM users WHERE id = %s" % user_id)\n    return user_id',
);

interface StoredFinding {
  status: string;
  introduced: boolean;
  file_path: string;
  rule_id: string;
  severity: string;
  cwe: string;
  line: number;
}

for (const target of databaseTargets()) {
  describe(`the proposal security gate on ${target}`, () => {
    let t: TestApp;
    let repo: GitFixture;
    let repositoryId: string;
    let writer: string;
    let maintainer: string;

    before(async () => {
      t = await createTestApp(target);
      writer = await t.createKey(['proposals:write', 'proposals:read']);
      maintainer = await t.createKey(['proposals:write', 'proposals:read', 'repos:write']);
      repo = createGitFixture({ 'clean.js': HANDLER, 'evil.js': HANDLER });
      const [row] = await t.database.orm
        .insert(repositories)
        .values({
          name: 'security-gate',
          source: 'path',
          path: repo.path,
          defaultBranch: 'main',
          // every other gate holds: auto-apply on, no checks, a low threshold, no acceptance threshold
          policy: {
            ...DEFAULT_REPOSITORY_POLICY,
            auto_apply: true,
            auto_apply_min_confidence: 0.5,
            auto_apply_min_acceptance: null,
          },
        })
        .returning();
      repositoryId = row!.id;
      // and the proposing agent is custody-eligible
      await storeCustodyHistory(t.database.orm, 'imperium');
    });
    after(async () => {
      await t.close();
      repo.remove();
    });

    async function propose(payload: Record<string, unknown>) {
      const response = await t.request({
        method: 'POST',
        url: '/proposals/',
        key: writer,
        payload: { ai_type: 'imperium', ...payload },
      });
      assert.equal(response.statusCode, 201, response.body);
      return response.json<{
        id: string;
        findings: StoredFinding[];
        security: { scanned: boolean; introduced: number; resolved: number; blocking: boolean };
      }>();
    }
    const autoApply = (id: string) =>
      t.request({ method: 'POST', url: `/proposals/${id}/auto-apply`, key: maintainer });

    it('stores a high finding introduced by new JavaScript code, with the row at once', async () => {
      const proposal = await propose({ file_path: 'app.js', code_before: HANDLER, code_after: SQL_HANDLER });
      assert.deepEqual(
        proposal.findings.map((finding) => [finding.status, finding.introduced, finding.rule_id, finding.severity]),
        [['introduced', true, 'js.sql-injection', 'high']],
      );
      assert.equal(proposal.findings[0]?.file_path, 'app.js');
      assert.equal(proposal.findings[0]?.line, 5);
      assert.equal(proposal.findings[0]?.cwe, 'CWE-89');
      assert.deepEqual(proposal.security, {
        scanned: true,
        introduced: 1,
        resolved: 0,
        scan_errors: 0,
        blocking: true,
      });
      const [stored] = await t.database.orm.select().from(proposals).where(eq(proposals.id, proposal.id));
      assert.equal(stored?.findings?.length, 1);
      assert.equal(stored?.findings?.[0]?.rule_id, 'js.sql-injection');

      const fetched = await t.request({ method: 'GET', url: `/proposals/${proposal.id}`, key: writer });
      assert.deepEqual(fetched.json().findings, proposal.findings);
    });

    it('stores a high finding introduced by new Python code', async () => {
      const proposal = await propose({ file_path: 'views.py', code_before: VIEWS, code_after: SQL_VIEWS });
      assert.deepEqual(
        proposal.findings.map((finding) => [finding.introduced, finding.rule_id, finding.severity, finding.line]),
        [[true, 'py.sql-injection', 'high', 5]],
      );
      assert.equal(proposal.security.blocking, true);
    });

    it('introduces nothing when a vulnerable line only moves, and lists a removed one as resolved', async () => {
      const moved = EVAL_HANDLER.replace(
        "const express = require('express');",
        "// server\n\nconst express = require('express');",
      );
      const shifted = await propose({ file_path: 'moved.js', code_before: EVAL_HANDLER, code_after: moved });
      assert.deepEqual(shifted.findings, []);
      assert.equal(shifted.security.blocking, false);

      const fixed = await propose({ file_path: 'fixed.js', code_before: EVAL_HANDLER, code_after: HANDLER });
      assert.deepEqual(
        fixed.findings.map((finding) => [finding.status, finding.introduced, finding.rule_id, finding.line]),
        [['resolved', false, 'js.code-injection', 5]],
      );
      assert.deepEqual(fixed.security, { scanned: true, introduced: 0, resolved: 1, scan_errors: 0, blocking: false });
    });

    it('gives files Guardian does not analyse an empty result', async () => {
      const proposal = await propose({ file_path: 'notes.md', code_before: 'a\n', code_after: 'eval(req.query.x)\n' });
      assert.deepEqual(proposal.findings, []);
      assert.equal(proposal.security.scanned, true);
    });

    it('refuses auto-apply for an introduced high finding, naming the security gate, and applies a clean twin', async () => {
      const evil = await propose({
        repository_id: repositoryId,
        file_path: 'evil.js',
        code_before: HANDLER,
        code_after: EVAL_HANDLER,
        confidence: 0.95,
      });
      assert.equal(evil.security.blocking, true);
      const blocked = await autoApply(evil.id);
      assert.equal(blocked.statusCode, 409, blocked.body);
      assert.equal(blocked.json().code, 'auto_apply_blocked');
      assert.deepEqual(
        blocked.json().failed_gates.map((gate: { gate: string }) => gate.gate),
        ['security'],
      );
      assert.match(
        blocked.json().failed_gates[0].detail,
        /introduces 1 high or critical security finding \(first: js\.code-injection at evil\.js:5\)/,
      );
      const stillPending = await t.request({ method: 'GET', url: `/proposals/${evil.id}`, key: writer });
      assert.equal(stillPending.json().status, 'pending');

      const clean = await propose({
        repository_id: repositoryId,
        file_path: 'clean.js',
        code_before: HANDLER,
        code_after: HANDLER.replace('ok: true', 'ok: false'),
        confidence: 0.95,
      });
      assert.deepEqual(clean.findings, []);
      const applied = await autoApply(clean.id);
      assert.equal(applied.statusCode, 200, applied.body);
      assert.equal(applied.json().status, 'applied');
    });

    it('scans a proposal stored before scanning existed when it is auto-applied', async () => {
      const proposal = await propose({
        repository_id: repositoryId,
        file_path: 'evil.js',
        code_before: HANDLER,
        code_after: EVAL_HANDLER.replace('req.query.x', 'req.query.y'),
        confidence: 0.95,
      });
      await t.database.orm.update(proposals).set({ findings: null }).where(eq(proposals.id, proposal.id));
      const fetched = await t.request({ method: 'GET', url: `/proposals/${proposal.id}`, key: writer });
      assert.equal(fetched.json().security.scanned, false);
      const blocked = await autoApply(proposal.id);
      assert.equal(blocked.statusCode, 409, blocked.body);
      assert.deepEqual(
        blocked.json().failed_gates.map((gate: { gate: string }) => gate.gate),
        ['security'],
      );
    });
  });
}
