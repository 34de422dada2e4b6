import assert from 'node:assert/strict';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { events, guardianSuggestions, proposals } from '../src/db/schema.js';
import { createTestApp, eventually, type TestApp, registerRepository } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { commitFiles, createRepository } from './support/repository-fixtures.js';

interface Suggestion {
  id: string;
  repository_id: string;
  fingerprint: string;
  file_path: string;
  rule_id: string;
  issue_type: string;
  severity: string;
  line: number;
  code_snippet: string;
  suggested_fix: string | null;
  fix: { description: string; edits: unknown[] } | null;
  status: string;
  resolved: boolean;
  proposal_id: string | null;
  review_reason: string | null;
  review_note: string | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
  first_seen_at: string;
  last_seen_at: string;
}

interface ScanResult {
  kind: string;
  files_total: number;
  files_scanned: number;
  files_unchanged: number;
  findings: number;
  new_suggestions: number;
  resolved: number;
  by_severity: Record<string, number>;
  repositories: { repository_id: string; head_commit: string; files_in_scope: number }[];
}

const APP_JS =
  "const { exec } = require('child_process');\n" +
  'function run(req) {\n' +
  "  exec('ls ' + req.query.dir);\n" +
  '  eval(req.body.code);\n' +
  '}\n' +
  'module.exports = { run };\n';
const CONFIG_PY = 'import yaml\n\ndef load(path):\n    with open(path) as handle:\n        return yaml.load(handle)\n';
const CLEAN_TS = 'export const add = (a: number, b: number) => a + b;\n';

for (const target of databaseTargets()) {
  describe(`Guardian repository scans and suggestions on ${target}`, () => {
    let t: TestApp;
    let workspace: string;
    let folder: string;
    let repositoryId: string;
    let reader: string;
    let runner: string;
    let reviewer: string;

    before(async () => {
      workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-guardian-scan-')));
      t = await createTestApp(target, {
        environment: { LVLUP_REPO_ROOTS: workspace, LVLUP_DATA_DIR: path.join(workspace, 'data') },
        worker: { pollIntervalMs: 100 },
      });
      reader = await t.createKey(['agents:read']);
      runner = await t.createKey(['agents:read', 'agents:run']);
      reviewer = await t.createKey(['agents:read', 'proposals:write']);
      folder = path.join(workspace, 'shop');
      await createRepository(folder, {
        'src/app.js': APP_JS,
        'tools/config.py': CONFIG_PY,
        'src/clean.ts': CLEAN_TS,
        'README.md': '# shop\n',
        'node_modules/left-pad/index.js': "eval('1');\n",
      });
      repositoryId = await registerRepository(t, folder);
    });
    after(async () => {
      await t.close();
      await rm(workspace, { recursive: true, force: true });
    });

    const get = (url: string, key = reader) => t.request({ method: 'GET', url, key });
    const post = (url: string, payload: Record<string, unknown> | undefined, key = reviewer) =>
      t.request({ method: 'POST', url, key, ...(payload ? { payload } : {}) });

    const scan = async (): Promise<ScanResult> => {
      const started = await post('/agents/guardian/run', { repository_id: repositoryId }, runner);
      assert.equal(started.statusCode, 202, started.body);
      const id = started.json().id as string;
      const task = await eventually(
        t,
        async () => {
          const body = (await get(`/api/v1/tasks/${id}`)).json();
          return ['succeeded', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
        },
        30_000,
      );
      assert.equal(task.status, 'succeeded', JSON.stringify(task.error));
      assert.equal(task.progress, 100);
      return task.result as ScanResult;
    };
    const list = async (query = '') => {
      const response = await get(`/guardian/suggestions?repository_id=${repositoryId}${query}`);
      assert.equal(response.statusCode, 200, response.body);
      return { items: response.json<Suggestion[]>(), total: Number(response.headers['x-total-count']) };
    };
    const byRule = async (ruleId: string, filePath?: string) => {
      const { items } = await list(
        `&include_resolved=true&rule_id=${ruleId}${filePath ? `&file_path=${encodeURIComponent(filePath)}` : ''}`,
      );
      assert.equal(items.length, 1, ruleId);
      return items[0]!;
    };
    const storedCount = async () =>
      (
        await t.database.orm
          .select()
          .from(guardianSuggestions)
          .where(eq(guardianSuggestions.repositoryId, repositoryId))
      ).length;

    it('scans a repository and stores one suggestion per finding, with a fingerprint', async () => {
      const result = await scan();
      assert.equal(result.kind, 'guardian_scan');
      assert.equal(result.files_total, 5);
      assert.equal(result.repositories[0]!.files_in_scope, 3, 'README and node_modules are out of scope');
      assert.equal(result.files_scanned, 3);
      assert.equal(result.files_unchanged, 0);
      assert.equal(result.findings, 3);
      assert.equal(result.new_suggestions, 3);
      assert.equal(result.by_severity.critical, 2);
      assert.equal(result.by_severity.high, 1);

      const { items, total } = await list();
      assert.equal(total, 3);
      assert.deepEqual(items.map((item) => item.rule_id).sort(), [
        'js.code-injection',
        'js.command-injection',
        'py.insecure-deserialization',
      ]);
      for (const item of items) {
        assert.match(item.fingerprint, /^[0-9a-f]{64}$/);
        assert.equal(item.status, 'pending');
        assert.equal(item.resolved, false);
      }
      assert.equal(new Set(items.map((item) => item.fingerprint)).size, 3);
      const yaml = await byRule('py.insecure-deserialization');
      assert.equal(yaml.file_path, 'tools/config.py');
      assert.equal(yaml.line, 5);
      assert.match(yaml.code_snippet, /yaml\.load\(handle\)/);
      assert.match(yaml.suggested_fix ?? '', /safe_load/);
      assert.equal(yaml.fix?.edits.length, 1);
      assert.equal((await byRule('js.code-injection')).fix, null);

      const one = await get(`/guardian/suggestions/${yaml.id}`);
      assert.equal(one.statusCode, 200, one.body);
      assert.equal(one.json().fingerprint, yaml.fingerprint);
    });

    it('skips unchanged files on the next scan and stores no duplicates', async () => {
      const before = await byRule('js.code-injection');
      const result = await scan();
      assert.equal(result.files_scanned, 0);
      assert.equal(result.files_unchanged, 3);
      assert.equal(result.new_suggestions, 0);
      assert.equal(await storedCount(), 3);
      assert.equal((await byRule('js.code-injection')).id, before.id);
    });

    it('filters by severity, status, rule, issue type and file, and pages with X-Total-Count', async () => {
      assert.equal((await list('&severity=critical')).total, 2);
      assert.equal((await list('&severity=high,critical')).total, 3);
      assert.equal((await list('&status=pending')).total, 3);
      assert.equal((await list('&status=ignored')).total, 0);
      assert.equal((await list('&issue_type=command_injection')).total, 1);
      assert.equal((await list('&file_path=tools/config.py')).total, 1);
      assert.equal((await list('&rule_id=js.code-injection')).total, 1);
      const page = await list('&limit=2&skip=2');
      assert.equal(page.items.length, 1);
      assert.equal(page.total, 3);
      const bad = await get('/guardian/suggestions?severity=urgent');
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().errors[0].field, 'querystring.severity');
    });

    it('enforces scopes', async () => {
      const outsider = await t.createKey(['proposals:write']);
      const { id } = await byRule('py.insecure-deserialization');
      assert.equal((await get('/guardian/suggestions', outsider)).statusCode, 403);
      assert.equal((await get('/guardian/suggestions', '')).statusCode, 401);
      assert.equal((await post(`/guardian/suggestions/${id}/approve`, undefined, reader)).statusCode, 403);
      assert.equal((await post(`/guardian/suggestions/${id}/ignore`, { reason: 'x' }, runner)).statusCode, 403);
      assert.equal((await get(`/guardian/suggestions/${id}`)).statusCode, 200);
    });

    it('refuses to approve a suggestion without an automatic fix', async () => {
      const { id } = await byRule('js.command-injection');
      const response = await post(`/guardian/suggestions/${id}/approve`, undefined);
      assert.equal(response.statusCode, 409, response.body);
      assert.equal(response.json().code, 'no_automatic_fix');
      assert.equal((await byRule('js.command-injection')).status, 'pending');
      const missing = await post('/guardian/suggestions/00000000-0000-4000-8000-000000000000/approve', undefined);
      assert.equal(missing.statusCode, 404);
    });

    it('ignores with a reason, never raises it again, and re-scans only the changed file', async () => {
      const evalSuggestion = await byRule('js.code-injection');
      const badBody = await post(`/guardian/suggestions/${evalSuggestion.id}/ignore`, { reason: '' });
      assert.equal(badBody.statusCode, 400);
      const ignored = await post(`/guardian/suggestions/${evalSuggestion.id}/ignore`, {
        reason: 'test fixture',
        note: 'only runs in the sandbox',
      });
      assert.equal(ignored.statusCode, 200, ignored.body);
      const body = ignored.json<Suggestion>();
      assert.equal(body.status, 'ignored');
      assert.equal(body.review_reason, 'test fixture');
      assert.equal(body.review_note, 'only runs in the sandbox');
      assert.match(body.reviewed_by ?? '', /proposals:write/);
      assert.ok(body.reviewed_at);
      const again = await post(`/guardian/suggestions/${evalSuggestion.id}/reject`, { reason: 'changed my mind' });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().code, 'suggestion_not_pending');

      // New lines above both findings, and the command injection fixed: only app.js is analysed again.
      const commandInjection = await byRule('js.command-injection');
      await commitFiles(folder, {
        'src/app.js': `// header\n'use strict';\n${APP_JS.replace("  exec('ls ' + req.query.dir);\n", '')}`,
      });
      const result = await scan();
      assert.equal(result.files_scanned, 1);
      assert.equal(result.files_unchanged, 2);
      assert.equal(result.new_suggestions, 0);
      assert.equal(result.resolved, 1);
      assert.equal(await storedCount(), 3);

      const stillIgnored = await byRule('js.code-injection');
      assert.equal(stillIgnored.id, evalSuggestion.id);
      assert.equal(stillIgnored.fingerprint, evalSuggestion.fingerprint, 'moving code keeps its fingerprint');
      assert.equal(stillIgnored.status, 'ignored');
      assert.equal(stillIgnored.line, evalSuggestion.line + 1);
      assert.equal(stillIgnored.resolved, false);
      const fixed = await byRule('js.command-injection');
      assert.equal(fixed.id, commandInjection.id);
      assert.equal(fixed.resolved, true);
      assert.equal((await list()).total, 2, 'resolved suggestions are left out by default');
      assert.equal((await list('&status=pending')).total, 1);
      assert.equal((await list('&include_resolved=true')).total, 3);
    });

    it('approves the yaml.load suggestion as a proposal with yaml.safe_load, also after the file moved on', async () => {
      const yaml = await byRule('py.insecure-deserialization', 'tools/config.py');
      // The file changes after the scan; the finding is found again in the new content.
      await commitFiles(folder, { 'tools/config.py': `"""Configuration."""\n${CONFIG_PY}` });
      const response = await post(`/guardian/suggestions/${yaml.id}/approve`, undefined);
      assert.equal(response.statusCode, 200, response.body);
      const approved = response.json<Suggestion>();
      assert.equal(approved.status, 'approved');
      assert.ok(approved.proposal_id);
      const [proposal] = await t.database.orm.select().from(proposals).where(eq(proposals.id, approved.proposal_id));
      assert.equal(proposal?.aiType, 'guardian');
      assert.equal(proposal?.ruleId, 'py.insecure-deserialization');
      assert.equal(proposal?.repositoryId, repositoryId);
      assert.equal(proposal?.status, 'pending');
      assert.ok(proposal?.confidence);
      const after = proposal.changes[0]!.code_after;
      assert.match(after, /yaml\.safe_load\(handle\)/);
      assert.match(after, /^"""Configuration\."""/);
      assert.doesNotMatch(after, /yaml\.load\(/);

      const twice = await post(`/guardian/suggestions/${yaml.id}/approve`, undefined);
      assert.equal(twice.statusCode, 409);
      assert.equal(twice.json().code, 'suggestion_not_pending');
    });

    it('refuses a stale suggestion whose finding is gone from the file', async () => {
      await commitFiles(folder, { 'src/other.py': 'import yaml\nyaml.load(open("a"))\n' });
      await scan();
      const other = (await list('&file_path=src/other.py')).items[0]!;
      assert.ok(other.fix);
      await commitFiles(folder, { 'src/other.py': 'import yaml\nyaml.safe_load(open("a"))\n' });
      const response = await post(`/guardian/suggestions/${other.id}/approve`, undefined);
      assert.equal(response.statusCode, 409, response.body);
      assert.equal(response.json().code, 'stale_suggestion');
      const rejected = await post(`/guardian/suggestions/${other.id}/reject`, { reason: 'fixed by hand' });
      assert.equal(rejected.statusCode, 200, rejected.body);
      assert.equal(rejected.json().status, 'rejected');
    });

    it('announces scans and reviews on the guardian topic', async () => {
      const published = await t.database.orm
        .select({ type: events.type, data: events.data })
        .from(events)
        .where(eq(events.topic, 'guardian'));
      const scans = published.filter((event) => event.type === 'guardian.scan_completed');
      assert.ok(scans.length >= 2);
      assert.ok(scans.every((event) => event.data.repository_id === repositoryId));
      assert.ok(scans.some((event) => (event.data.new_suggestions as number) > 0));
      const reviews = published.filter((event) => event.type === 'guardian.suggestion_rejected');
      assert.ok(reviews.some((event) => event.data.status === 'rejected' && event.data.repository_id === repositoryId));
      assert.ok(published.some((event) => event.type === 'guardian.suggestion_approved'));
      assert.ok(published.some((event) => event.type === 'guardian.suggestion_ignored'));
    });

    it("leaves out the rules and paths in the repository's ignore list", async () => {
      const patched = await t.request({
        method: 'PATCH',
        url: `/api/v1/repositories/${repositoryId}`,
        key: t.adminKey,
        payload: { policy: { guardian_ignore: { rules: ['js.code-injection'], paths: ['tools/**'] } } },
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.deepEqual(patched.json().policy.guardian_ignore, { rules: ['js.code-injection'], paths: ['tools/**'] });
      const result = await scan();
      assert.equal(result.repositories[0]!.files_in_scope, 3, 'tools/config.py is left out');
      assert.equal(result.files_unchanged, 0, 'a new rule set scans every file again');
      assert.equal((await byRule('js.code-injection')).resolved, true);
      const yaml = await byRule('py.insecure-deserialization', 'tools/config.py');
      assert.equal(yaml.resolved, true);
      assert.equal(yaml.status, 'approved');
      assert.equal((await byRule('js.code-injection')).status, 'ignored');
    });
  });
}
