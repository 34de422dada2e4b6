import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/config.js';
import type { Project } from '../src/projects/project-store.js';
import { browserSmokeStep } from '../src/projects/stage-work/qa-browser-smoke.js';
import { sandboxService } from '../src/sandbox/sandbox-service.js';
import { createTestApp, type TestApp } from './support/app.js';

// Without Chromium (CHROMIUM_PATH pointing at nothing) the QA stage's browser smoke test is skipped, never
// passed, and says why in its report; readiness says Chromium (and, without FLUTTER_PATH, Flutter) is
// unavailable. The smoke test that runs is proved in test/projects.test.ts, against a real generated app.

const MISSING = '/nonexistent/lvlup-test/chromium';

describe('the browser smoke test without Chromium', () => {
  let t: TestApp;
  let workspace: string;
  before(async () => {
    workspace = mkdtempSync(path.join(tmpdir(), 'lvlup-smoke-skipped-'));
    t = await createTestApp('pglite', {
      environment: { LVLUP_DATA_DIR: path.join(workspace, 'data'), CHROMIUM_PATH: MISSING },
    });
  });
  after(async () => {
    await t.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('is skipped with the reason in its report, and stores no screenshot', async () => {
    const config = loadConfig({ LVLUP_DATA_DIR: path.join(workspace, 'data'), CHROMIUM_PATH: MISSING });
    const logged: string[] = [];
    const outcome = await browserSmokeStep(
      {
        project: { targets: ['web'] } as unknown as Project,
        config,
        signal: new AbortController().signal,
        log: async (message) => void logged.push(message),
      },
      await sandboxService(config),
      workspace,
      undefined,
    );
    assert.equal(outcome.report.status, 'skipped');
    assert.equal(outcome.report.reason, `Chromium is unavailable: ${MISSING} does not exist (CHROMIUM_PATH)`);
    assert.deepEqual(outcome.report.steps, []);
    assert.deepEqual(
      outcome.artifacts.map((artifact) => artifact.name),
      ['smoke-report.json'],
    );
    const stored = JSON.parse(String(outcome.artifacts[0]!.content)) as { status: string; reason: string };
    assert.equal(stored.status, 'skipped');
    assert.match(stored.reason, /does not exist/);
    assert.match(logged.join('\n'), /browser smoke test skipped: Chromium is unavailable/);
    assert.equal(outcome.note, `browser smoke test skipped: ${outcome.report.reason}`, "the QA stage's reason");
  });

  it('is reported by readiness', async () => {
    const response = await t.request({ method: 'GET', url: '/health/ready' });
    const body = response.json<{
      projects: {
        chromium: { available: boolean; path: string; reason?: string };
        flutter: { available: boolean; path: string | null; reason?: string };
      };
    }>();
    assert.deepEqual(body.projects.chromium, {
      available: false,
      path: MISSING,
      reason: `Chromium is unavailable: ${MISSING} does not exist (CHROMIUM_PATH)`,
    });
    assert.equal(body.projects.flutter.available, false);
    assert.match(body.projects.flutter.reason ?? '', /FLUTTER_PATH is not set/);
  });
});
