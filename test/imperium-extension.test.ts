import assert from 'node:assert/strict';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { count, eq } from 'drizzle-orm';
import { proposals, tokenUsage } from '../src/db/schema.js';
import { createTestApp, eventually, type TestApp, registerRepository } from './support/app.js';
import { databaseTargets } from './support/database.js';
import { startFakeLlmServer, type FakeLlmServer } from './support/fake-llm-server.js';
import { fakeProviderEnvironment } from './support/llm-harness.js';
import { createRepository } from './support/repository-fixtures.js';

const PACKAGE = JSON.stringify({ name: 'calc', private: true, scripts: { test: 'node --test' } }, null, 2) + '\n';
const LIB = 'exports.add = (a, b) => a + b;\n';
const LIB_TEST = [
  "const test = require('node:test');",
  "const assert = require('node:assert');",
  "const { add } = require('../lib.js');",
  "test('add', () => assert.strictEqual(add(1, 2), 3));",
  '',
].join('\n');

const SLUGIFY = [
  'function slugify(text) {',
  '  return text',
  '    .toLowerCase()',
  "    .replace(/[^a-z0-9]+/g, '-')",
  "    .replace(/^-+|-+$/g, '');",
  '}',
  '',
  'module.exports = { slugify };',
  '',
].join('\n');
const SLUGIFY_TEST = [
  "const test = require('node:test');",
  "const assert = require('node:assert');",
  "const { slugify } = require('../src/slugify.js');",
  '',
  "test('slugify', () => {",
  "  assert.strictEqual(slugify('Hello, World!'), 'hello-world');",
  '});',
  '',
].join('\n');

interface Proposal {
  id: string;
  status: string;
  ai_type: string;
  category: string | null;
  confidence: number | null;
  rationale: string | null;
  description: string | null;
  changes: { file_path: string; code_before: string; code_after: string }[];
  findings: Record<string, unknown>[] | null;
  test_results: Record<string, unknown> | null;
}

for (const target of databaseTargets()) {
  describe(`Imperium create-extension on ${target}`, () => {
    let t: TestApp;
    let bare: TestApp;
    let server: FakeLlmServer;
    let workspace: string;
    let repositoryId: string;
    let writer: string;

    before(async () => {
      workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-extension-test-')));
      server = await startFakeLlmServer();
      t = await createTestApp(target, {
        environment: {
          ...fakeProviderEnvironment(server),
          LLM_PROVIDER: 'openai',
          LLM_MODEL: 'gpt-4o-mini',
          LLM_CACHE_TTL_SECONDS: '0',
          LVLUP_REPO_ROOTS: workspace,
          LVLUP_DATA_DIR: path.join(workspace, 'data'),
        },
        worker: { pollIntervalMs: 100 },
      });
      bare = await createTestApp(target);
      writer = await t.createKey(['proposals:read', 'agents:read', 'agents:run']);
      const folder = path.join(workspace, 'calc');
      await createRepository(folder, {
        'package.json': PACKAGE,
        'lib.js': LIB,
        'test/lib.test.js': LIB_TEST,
        '.gitignore': 'node_modules/\n',
      });
      repositoryId = await registerRepository(t, folder);
    });
    after(async () => {
      await t.close();
      await bare.close();
      await server.close();
      await rm(workspace, { recursive: true, force: true });
    });

    const extend = (payload: Record<string, unknown>, app = t, key = writer) =>
      app.request({ method: 'POST', url: '/imperium/create-extension', key, payload });
    const storedProposals = async () => (await t.database.orm.select({ value: count() }).from(proposals))[0]!.value;

    it('answers 503 llm_not_configured without a provider, and never a template', async () => {
      const response = await extend({ description: 'a slugify helper' }, bare, bare.adminKey);
      assert.equal(response.statusCode, 503, response.body);
      assert.equal(response.json().code, 'llm_not_configured');
    });

    it('proposes the new module and its tests to a repository, and Sandbox tests them', async () => {
      server.reset();
      server.reply({
        kind: 'json',
        value: {
          files: [
            { file_path: 'src/slugify.js', content: SLUGIFY },
            { file_path: './test/slugify.test.js', content: SLUGIFY_TEST },
          ],
          explanation: 'slugify lower-cases and joins words with dashes; the test checks punctuation is dropped.',
        },
        inputTokens: 400,
        outputTokens: 120,
      });
      const response = await extend({
        repository_id: repositoryId,
        description: 'A slugify helper that turns titles into URL slugs.',
        file_path: 'src/slugify.js',
      });
      assert.equal(response.statusCode, 201, response.body);
      const proposal = response.json<Proposal>();
      assert.equal(proposal.ai_type, 'imperium');
      assert.equal(proposal.category, 'extension');
      assert.equal(proposal.confidence, 0.5);
      assert.equal(proposal.description, 'A slugify helper that turns titles into URL slugs.');
      assert.match(proposal.rationale ?? '', /slugify lower-cases/);
      assert.deepEqual(
        proposal.changes.map((change) => [change.file_path, change.code_before, change.code_after]),
        [
          ['src/slugify.js', '', SLUGIFY],
          ['test/slugify.test.js', '', SLUGIFY_TEST],
        ],
      );
      assert.deepEqual(proposal.findings, [], 'Guardian scanned the new files');

      // The prompt names the existing files and the manifest, so the model neither overwrites nor guesses.
      const prompt = JSON.stringify(server.requests[0]!.body.messages);
      assert.match(prompt, /lib\.js/);
      assert.match(prompt, /node --test/);

      const usage = await t.database.orm
        .select()
        .from(tokenUsage)
        .where(eq(tokenUsage.purpose, 'imperium.create-extension'));
      assert.equal(usage.length, 1);
      assert.equal(usage[0]!.agentType, 'imperium');
      assert.equal(usage[0]!.inputTokens, 400);

      const tested = await eventually(
        t,
        async () => {
          const current = (
            await t.request({ method: 'GET', url: `/proposals/${proposal.id}`, key: writer })
          ).json<Proposal>();
          return ['test-passed', 'test-failed'].includes(current.status) ? current : undefined;
        },
        60_000,
      );
      assert.equal(tested.status, 'test-passed', JSON.stringify(tested.test_results));
    });

    it('answers the files and their findings without storing anything when no repository is given', async () => {
      const before = await storedProposals();
      server.reset();
      const handler = [
        "const { exec } = require('child_process');",
        'function list(req, res) {',
        "  exec('ls ' + req.query.dir, (error, output) => res.send(output));",
        '}',
        'module.exports = { list };',
        '',
      ].join('\n');
      server.reply({
        kind: 'json',
        value: {
          files: [
            { file_path: 'routes/list.js', content: handler },
            { file_path: 'routes/list.test.js', content: "require('node:test');\n" },
          ],
          explanation: 'lists a directory',
        },
      });
      const response = await extend({ description: 'an endpoint listing a directory', language: 'javascript' });
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      assert.deepEqual(
        body.files.map((file: { file_path: string; language: string }) => [file.file_path, file.language]),
        [
          ['routes/list.js', 'javascript'],
          ['routes/list.test.js', 'javascript'],
        ],
      );
      assert.equal(body.explanation, 'lists a directory');
      assert.ok(
        body.findings.some(
          (finding: { status: string; file_path: string }) =>
            finding.status === 'introduced' && finding.file_path === 'routes/list.js',
        ),
        JSON.stringify(body.findings),
      );
      assert.equal(body.security.blocking, true);
      assert.equal(await storedProposals(), before);
    });

    it('refuses unusable model output with 502 llm_invalid_output, storing nothing', async () => {
      const before = await storedProposals();
      const cases: [{ file_path: string; content: string }[], string][] = [
        [[{ file_path: 'src/broken.js', content: 'export function broken( {\n' }], 'output.files.0.content'],
        [[{ file_path: '../outside.js', content: SLUGIFY }], 'output.files.0.file_path'],
        [[{ file_path: 'lib.js', content: SLUGIFY }], 'output.files.0.file_path'],
        [[{ file_path: 'README.md', content: '# hello\n' }], 'output.files.0.file_path'],
        [
          [
            { file_path: 'src/a.py', content: 'x = 1\n' },
            { file_path: 'src/a.py', content: 'x = 2\n' },
          ],
          'output.files.1.file_path',
        ],
      ];
      for (const [files, field] of cases) {
        server.reset();
        server.reply({ kind: 'json', value: { files, explanation: 'x' } });
        const response = await extend({ repository_id: repositoryId, description: 'something new' });
        assert.equal(response.statusCode, 502, response.body);
        assert.equal(response.json().code, 'llm_invalid_output');
        const fields = response.json<{ errors: { field: string }[] }>().errors.map((error) => error.field);
        assert.ok(fields.includes(field), `${field} not in ${fields.join()}`);
      }
      // The module must be where it was asked for.
      server.reset();
      server.reply({
        kind: 'json',
        value: { files: [{ file_path: 'src/other.js', content: SLUGIFY }], explanation: 'x' },
      });
      const elsewhere = await extend({ repository_id: repositoryId, description: 'x', file_path: 'src/wanted.js' });
      assert.equal(elsewhere.statusCode, 502, elsewhere.body);
      assert.equal(await storedProposals(), before);
    });

    it('refuses a requested path that is unsafe, exists or is not code, before asking the model', async () => {
      server.reset();
      const unsafe = await extend({ description: 'x', file_path: '../x.js' });
      assert.equal(unsafe.statusCode, 400, unsafe.body);
      assert.equal(unsafe.json().code, 'unsafe_path');
      const existing = await extend({ repository_id: repositoryId, description: 'x', file_path: 'lib.js' });
      assert.equal(existing.statusCode, 409, existing.body);
      assert.equal(existing.json().code, 'file_exists');
      const notCode = await extend({ description: 'x', file_path: 'notes.txt' });
      assert.equal(notCode.statusCode, 400);
      assert.equal(notCode.json().code, 'unsupported_language');
      const mismatch = await extend({ description: 'x', file_path: 'a.py', language: 'typescript' });
      assert.equal(mismatch.statusCode, 400);
      const unknownRepository = await extend({
        repository_id: '00000000-0000-4000-8000-000000000000',
        description: 'x',
      });
      assert.equal(unknownRepository.statusCode, 404);
      assert.equal(server.requests.length, 0, 'no tokens spent on a refused request');
    });
  });
}
