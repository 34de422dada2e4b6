import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestApp, eventually, registerRepository, type TestApp } from './support/app.js';
import { createRepository } from './support/repository-fixtures.js';
import { scriptedAgent, testRegistry } from './support/test-agents.js';

/**
 * The web dashboard in a real browser (Debian's Chromium driven by playwright-core) against a real server on
 * PGlite: one server, one browser, the steps in order. Each page is checked with axe-core (no serious or
 * critical violation) and its screenshot is written to docs/screenshots/, so the pictures in the docs are
 * of the dashboard as it is.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const SCREENSHOTS = path.join(root, 'docs', 'screenshots');
const AXE_SOURCE = readFileSync(path.join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const PASSWORD = 'correct horse battery staple';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const LIB_BEFORE = 'function equal(a, b) {\n  return a == b;\n}\n\nmodule.exports = { equal };\n';
const LIB_AFTER = 'function equal(a, b) {\n  return a === b;\n}\n\nmodule.exports = { equal };\n';

describe('the web dashboard in Chromium', () => {
  let t: TestApp;
  let workspace: string;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  let proposalId: string;
  const cspViolations: string[] = [];
  let openGate: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  // Logs one line, waits for the test, logs another: the second can only arrive live.
  const gated = scriptedAgent({
    type: 'gated',
    async run(context) {
      await context.log('info', 'waiting at the gate');
      await gate;
      await context.log('info', 'through the gate');
      return { passed: true };
    },
  });

  before(async () => {
    const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'ensure-web-build.js')], {
      encoding: 'utf8',
    });
    assert.equal(build.status, 0, build.stderr);
    workspace = await mkdtemp(path.join(tmpdir(), 'lvlup-web-'));
    const folder = path.join(workspace, 'shop');
    await createRepository(folder, { 'lib.js': LIB_BEFORE });
    t = await createTestApp('pglite', {
      environment: { LVLUP_REPO_ROOTS: workspace, LVLUP_DATA_DIR: path.join(workspace, 'data') },
      agents: testRegistry(gated),
      worker: { pollIntervalMs: 100 },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    for (const [email, role] of [
      ['maintainer@example.com', 'maintainer'],
      ['viewer@example.com', 'viewer'],
    ]) {
      const created = await t.request({
        method: 'POST',
        url: '/api/v1/users',
        key: t.adminKey,
        payload: { email, password: PASSWORD, role },
      });
      assert.equal(created.statusCode, 201, created.body);
    }
    const repositoryId = await registerRepository(t, folder);
    const checks = await t.request({
      method: 'PATCH',
      url: `/api/v1/repositories/${repositoryId}`,
      key: t.adminKey,
      payload: { check_commands: ['cat lib.js'] },
    });
    assert.equal(checks.statusCode, 200, checks.body);
    const proposed = await t.request({
      method: 'POST',
      url: '/proposals/',
      key: t.adminKey,
      payload: {
        ai_type: 'imperium',
        repository_id: repositoryId,
        file_path: 'lib.js',
        code_before: LIB_BEFORE,
        code_after: LIB_AFTER,
        description: 'Compare with strict equality',
        rule_id: 'js.strict-equality',
        rationale: '== converts its operands; === does not.',
        confidence: 0.9,
      },
    });
    assert.equal(proposed.statusCode, 201, proposed.body);
    proposalId = proposed.json<{ id: string }>().id;
    const tested = await eventually(
      t,
      async () => {
        const body = (await t.request({ method: 'GET', url: `/proposals/${proposalId}`, key: t.adminKey })).json<{
          status: string;
        }>();
        return ['test-passed', 'test-failed'].includes(body.status) ? body.status : undefined;
      },
      60_000,
    );
    assert.equal(tested, 'test-passed');

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });

  after(async () => {
    await browser?.close();
    await t?.close();
    if (workspace) await rm(workspace, { recursive: true, force: true });
  });

  /** axe-core on the page as it is: no serious or critical violation. */
  async function checkAccessibility(name: string) {
    // Runtime evaluation is not a page script, so the CSP (script-src 'self') does not stop it.
    await page.evaluate(AXE_SOURCE);
    const violations = await page.evaluate(async () => {
      const axe = (
        globalThis as unknown as {
          axe: {
            run(): Promise<{
              violations: { id: string; impact: string; help: string; nodes: { target: unknown }[] }[];
            }>;
          };
        }
      ).axe;
      const result = await axe.run();
      return result.violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map(
          (violation) =>
            `${violation.id} (${violation.impact}): ${violation.help} at ${JSON.stringify(violation.nodes.map((node) => node.target))}`,
        );
    });
    assert.deepEqual(violations, [], `accessibility of ${name}`);
  }

  const screenshot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });

  async function signIn(email: string, password = PASSWORD) {
    await page.goto(`${baseUrl}/`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function signOut() {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to lvlup' }).waitFor();
  }

  it('serves the page under its Content-Security-Policy and shows a wrong password as the server put it', async () => {
    const response = await page.goto(`${baseUrl}/inbox`);
    assert.equal(response?.status(), 200);
    assert.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await signIn('maintainer@example.com', 'not the password');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Unauthorized[\s\S]*Invalid email or password\./);
    await checkAccessibility('sign-in');
    await screenshot('sign-in');
  });

  it('lets a viewer read a proposal but shows no review buttons', async () => {
    await signIn('viewer@example.com');
    await page.getByRole('link', { name: /Compare with strict equality/ }).click();
    await page.locator('[data-testid="diff"] .d2h-file-wrapper').waitFor();
    assert.equal(await page.getByRole('button', { name: /Accept/ }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /Reject/ }).count(), 0);
    assert.equal(await page.getByRole('checkbox').count(), 0, 'no batch selection either');
    const cookies = await page.context().cookies();
    assert.ok(
      cookies.some((cookie) => cookie.name === 'lvlup_refresh' && cookie.httpOnly && cookie.sameSite === 'Strict'),
    );
    assert.deepEqual(await page.evaluate<string[]>('Object.keys(localStorage)'), []);
    await signOut();
  });

  it('lets a maintainer review a proposal with its diff and test results, accept it and apply it', async () => {
    await signIn('maintainer@example.com');
    await page.getByRole('heading', { name: /Inbox/ }).waitFor();
    await page.getByTestId('live-state').filter({ hasText: 'Live' }).waitFor();
    await page.getByRole('link', { name: /Compare with strict equality/ }).click();
    const diff = page.locator('[data-testid="diff"]');
    await diff.locator('.d2h-ins').first().waitFor();
    assert.match(await diff.innerText(), /return a === b;/);
    assert.ok((await diff.locator('.hljs-keyword').count()) > 0, 'the code is highlighted');
    await page.getByText('cat lib.js').first().waitFor();
    assert.match(await page.locator('.run').first().innerText(), /passed/);
    // The check ran at the proposal's commit: its output is the changed file.
    assert.match((await page.locator('.run pre').first().textContent()) ?? '', /return a === b;/);
    await page.getByText('== converts its operands; === does not.').waitFor();
    await checkAccessibility('inbox');
    await screenshot('inbox');
    await page.getByRole('button', { name: 'Side by side' }).click();
    await diff.locator('.d2h-file-side-diff').first().waitFor();
    await screenshot('inbox-side-by-side');

    await page.getByRole('button', { name: 'Accept…' }).click();
    await page.getByLabel('Note').fill('looks right');
    await page.getByRole('button', { name: 'Confirm accept' }).click();
    await page.getByRole('button', { name: 'Apply as a commit' }).click();
    const applied = page.getByText(/Applied as [0-9a-f]{12} on branch lvlup\//);
    await applied.waitFor();
    const stored = (await t.request({ method: 'GET', url: `/proposals/${proposalId}`, key: t.adminKey })).json<{
      status: string;
      review: { note: string; reviewer: string };
    }>();
    assert.equal(stored.status, 'applied');
    assert.equal(stored.review.note, 'looks right');
    assert.equal(stored.review.reviewer, 'maintainer@example.com');
    await checkAccessibility('proposal applied');
    await screenshot('proposal-applied');
  });

  it('shows a new proposal live, without a reload', async () => {
    await page.getByRole('link', { name: 'Inbox' }).click();
    const created = await t.request({
      method: 'POST',
      url: '/proposals/',
      key: t.adminKey,
      payload: {
        ai_type: 'guardian',
        file_path: 'other.js',
        code_before: 'a\n',
        code_after: 'b\n',
        description: 'Arrives live',
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    await page.getByRole('link', { name: /Arrives live/ }).waitFor();
  });

  it("shows a task's log lines as they arrive", async () => {
    const task = (await t.app.services.tasks.submit({ agentType: 'gated', input: {}, trigger: 'manual' })).task;
    await page.goto(`${baseUrl}/tasks/${task.id}`);
    const logs = page.getByTestId('task-logs');
    await logs.getByText('waiting at the gate').waitFor();
    assert.equal(await logs.getByText('through the gate').count(), 0);
    openGate();
    await logs.getByText('through the gate').waitFor();
    await page.getByTestId('task-stream-state').filter({ hasText: 'finished' }).waitFor();
    await checkAccessibility('task');
    await screenshot('task');
    await page.getByRole('link', { name: '← Tasks' }).click();
    await page.getByRole('link', { name: task.id.slice(0, 8) }).waitFor();
    await checkAccessibility('tasks');
  });

  it('lists projects and shows a project with its eleven stages; a viewer sees no pipeline buttons', async () => {
    const fixture = JSON.parse(readFileSync(path.join(root, 'test', 'fixtures', 'app-specs', 'blog.json'), 'utf8')) as {
      spec: object;
    };
    // the maintainer's own project: its owner may run it
    const login = await t.request({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'maintainer@example.com', password: PASSWORD },
    });
    assert.equal(login.statusCode, 200, login.body);
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/projects',
      key: login.json<{ access_token: string }>().access_token,
      payload: { name: 'team blog', description: 'Posts and comments for the team', spec: fixture.spec },
    });
    assert.equal(created.statusCode, 201, created.body);
    const projectId = created.json<{ id: string }>().id;

    await page.getByRole('link', { name: 'Projects', exact: true }).click();
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'team blog' }).click();
    await page.waitForURL(`${baseUrl}/projects/${projectId}`);
    await page.getByRole('heading', { name: /team blog/, level: 1 }).waitFor();
    const stages = page.getByRole('list', { name: 'Stages' }).getByRole('listitem');
    await stages.nth(10).waitFor();
    assert.equal(await stages.count(), 11);
    assert.equal(await stages.first().getAttribute('data-stage'), 'requirements');
    assert.equal(await stages.last().getAttribute('data-stage'), 'recovery');
    // the maintainer (signed in since the review test) owns it: a draft can be started
    await page.getByRole('button', { name: 'Start' }).waitFor();
    await checkAccessibility('project');
    await screenshot('project');

    await signOut();
    await signIn('viewer@example.com');
    await page.goto(`${baseUrl}/projects/${projectId}`);
    await page.getByRole('heading', { name: /team blog/, level: 1 }).waitFor();
    await stages.nth(10).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Start' }).count(), 0);
    await signOut();
    await signIn('maintainer@example.com');
    await page.getByRole('heading', { name: /Inbox/ }).waitFor();
  });

  it('passes the accessibility check on the other pages, with no CSP violation anywhere', async () => {
    for (const [name, heading] of [
      ['repositories', 'Repositories'],
      ['agents', 'Agents'],
      ['projects', 'Projects'],
      ['settings', 'Settings'],
    ] as const) {
      await page.getByRole('link', { name: heading, exact: true }).click();
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.locator('table').first().waitFor();
      await checkAccessibility(name);
      await screenshot(name);
    }
    assert.deepEqual(cspViolations, []);
  });
});
