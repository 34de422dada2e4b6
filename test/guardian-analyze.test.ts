import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

interface Analysis {
  file_path: string;
  language: string;
  findings: {
    rule_id: string;
    issue_type: string;
    cwe: string;
    severity: string;
    confidence: string;
    line: number;
    column: number;
    end_line: number;
    end_column: number;
    message: string;
    remediation: string;
    fix?: { description: string; edits: { start: number; end: number; replacement: string }[]; patched_code: string };
  }[];
  summary: { total: number; by_severity: Record<string, number> };
  rules_run: number;
}

// A fake credential in a real format, assembled at run time so this file holds no token-shaped literal.
const GITHUB = ['gh', 'p_', 'R7xK2mP9qL4vN8wT3zY6bC1dF5gH0jS2aE4u'].join('');
const RANDOM = 'q8Zf3LxW0pVt7Rk2Nm5Yc9';

for (const target of databaseTargets()) {
  describe(`POST /guardian/analyze on ${target}`, () => {
    let t: TestApp;
    let runner: string;
    let reader: string;

    before(async () => {
      t = await createTestApp(target);
      runner = await t.createKey(['agents:run']);
      reader = await t.createKey(['agents:read']);
    });
    after(() => t.close());

    // An empty key sends no Authorization header.
    const analyze = (payload: Record<string, unknown>, key = runner) =>
      t.request({ method: 'POST', url: '/guardian/analyze', key, payload });

    it('reports SQL injection in JavaScript at its position, and nothing in the parameterised twin', async () => {
      const vulnerable =
        "export async function find(req, res) {\n  const rows = await db.query('SELECT * FROM users WHERE id = ' + req.query.id);\n  res.json(rows);\n}\n";
      const response = await analyze({ code: vulnerable, file_path: 'src/users.js' });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json<Analysis>();
      assert.deepEqual(
        body.findings.map((finding) => [finding.rule_id, finding.cwe, finding.line, finding.column]),
        [['js.sql-injection', 'CWE-89', 2, 22]],
      );
      const safe = vulnerable.replace("= ' + req.query.id)", "= $1', [req.query.id])");
      const twin = await analyze({ code: safe, file_path: 'src/users.js' });
      assert.equal(twin.statusCode, 200, twin.body);
      assert.deepEqual(twin.json<Analysis>().findings, []);
    });

    it('reports a hard-coded token with its position, CWE and summary', async () => {
      const code = `import { Octokit } from '@octokit/rest';\n\nconst octokit = new Octokit({ auth: '${GITHUB}' });\n`;
      const response = await analyze({ code, file_path: 'src/github.js' });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json<Analysis>();
      assert.equal(body.file_path, 'src/github.js');
      assert.equal(body.language, 'javascript');
      assert.ok(body.rules_run >= 2);
      assert.equal(body.findings.length, 1);
      const [finding] = body.findings;
      assert.equal(finding!.rule_id, 'secrets.known-token');
      assert.equal(finding!.issue_type, 'hard_coded_secret');
      assert.equal(finding!.cwe, 'CWE-798');
      assert.equal(finding!.severity, 'high');
      assert.equal(finding!.confidence, 'high');
      assert.deepEqual(
        [finding!.line, finding!.column, finding!.end_line, finding!.end_column],
        [3, 37, 3, 37 + GITHUB.length + 2],
      );
      assert.ok(!response.body.includes(`"message":"${GITHUB}`));
      assert.equal(body.summary.total, 1);
      assert.deepEqual(body.summary.by_severity, { info: 0, low: 0, medium: 0, high: 1, critical: 0 });
    });

    it('answers a fix with the patched code when one exists', async () => {
      const code = `import os\n\nDB_PASSWORD = "${RANDOM}"\n`;
      const response = await analyze({ code, file_path: 'settings.py' });
      assert.equal(response.statusCode, 200, response.body);
      const [finding] = response.json<Analysis>().findings;
      assert.equal(finding?.rule_id, 'secrets.hard-coded-credential');
      assert.equal(finding.confidence, 'medium');
      assert.deepEqual([finding.line, finding.column], [3, 15]);
      assert.equal(finding.fix?.patched_code, 'import os\n\nDB_PASSWORD = os.environ["DB_PASSWORD"]\n');
      assert.deepEqual(finding.fix.edits, [
        { start: code.indexOf('"'), end: code.length - 1, replacement: 'os.environ["DB_PASSWORD"]' },
      ]);
    });

    it('finds nothing in the safe twin', async () => {
      const code =
        "import { Octokit } from '@octokit/rest';\n\nconst octokit = new Octokit({ auth: process.env.GITHUB_TOKEN });\n";
      const response = await analyze({ code, file_path: 'src/github.js' });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json<Analysis>();
      assert.deepEqual(body.findings, []);
      assert.equal(body.summary.total, 0);
    });

    it('honours a suppression comment', async () => {
      const code = `// lvlup-ignore secrets.known-token\nconst token = '${GITHUB}';\n`;
      const response = await analyze({ code, file_path: 'a.ts' });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json<Analysis>().findings, []);
    });

    it('takes the language from the body over the extension', async () => {
      const response = await analyze({
        code: `secret = "${RANDOM}"\n`,
        file_path: 'scripts/deploy',
        language: 'python',
      });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json<Analysis>();
      assert.equal(body.language, 'python');
      assert.deepEqual(
        body.findings.map((finding) => finding.rule_id),
        ['secrets.hard-coded-credential'],
      );
    });

    it('refuses an unsupported file type with unsupported_language naming body.file_path', async () => {
      const response = await analyze({ code: 'fn main() {}', file_path: 'src/main.rs' });
      assert.equal(response.statusCode, 400);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      const problem = response.json<{ code: string; errors: { field: string }[] }>();
      assert.equal(problem.code, 'unsupported_language');
      assert.deepEqual(
        problem.errors.map((error) => error.field),
        ['body.file_path'],
      );
    });

    it('validates the body strictly', async () => {
      const unknown = await analyze({ code: '', file_path: 'a.js', extra: true });
      assert.equal(unknown.statusCode, 400);
      assert.equal(unknown.json<{ code: string }>().code, 'validation_failed');
      const language = await analyze({ code: '', file_path: 'a.js', language: 'ruby' });
      assert.equal(language.statusCode, 400);
      assert.ok(
        language.json<{ errors: { field: string }[] }>().errors.some((error) => error.field === 'body.language'),
      );
      const longPath = await analyze({ code: '', file_path: `${'a'.repeat(500)}.js` });
      assert.equal(longPath.statusCode, 400);
    });

    it('needs agents:run and a credential', async () => {
      const refused = await analyze({ code: '', file_path: 'a.js' }, reader);
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json<{ code: string }>().code, 'forbidden');
      const anonymous = await analyze({ code: '', file_path: 'a.js' }, '');
      assert.equal(anonymous.statusCode, 401);
    });

    it('still answers 200 for syntax errors, pathological nesting and a 200 KB file', async () => {
      const broken = await analyze({
        code: `const password = "${RANDOM}";\nfunction (( {{ ]]\n`,
        file_path: 'broken.js',
      });
      assert.equal(broken.statusCode, 200, broken.body);
      assert.equal(broken.json<Analysis>().findings.length, 1);

      for (const [code, filePath] of [
        [`x = ${'['.repeat(100_000)}`, 'deep.js'],
        [`x = ${'('.repeat(100_000)}${')'.repeat(100_000)}`, 'deep.py'],
        [`const x = ${'{a:'.repeat(30_000)}1${'}'.repeat(30_000)};`, 'deep.ts'],
        [`${'if (a) {'.repeat(20_000)}`, 'deep.tsx'],
        ['\uFFFD\u2028\u202E `${`${`${', 'odd.js'],
      ] as const) {
        const response = await analyze({ code, file_path: filePath });
        assert.equal(response.statusCode, 200, `${filePath}: ${response.body.slice(0, 200)}`);
      }
      // Text no field of lvlup can hold (NUL, a lone surrogate) is refused like everywhere else, naming the field.
      const unstorable = await analyze({ code: '\u0000\uD800 `${`${`${', file_path: 'odd.js' });
      assert.equal(unstorable.statusCode, 400, unstorable.body);
      assert.equal(unstorable.json<{ errors: { field: string }[] }>().errors[0]!.field, 'body.code');

      const large = `const apiKey = "${RANDOM}";\n` + 'export const value = "just some text";\n'.repeat(5_200);
      assert.ok(large.length > 200_000);
      const response = await analyze({ code: large, file_path: 'large.js' });
      assert.equal(response.statusCode, 200, response.body.slice(0, 200));
      assert.equal(response.json<Analysis>().summary.total, 1);
    });
  });
}
