import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/config.js';
import type { Project } from '../src/projects/project-store.js';
import { flutterBuildStep } from '../src/projects/stage-work/flutter-build.js';
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
        folder: workspace,
        engine: 'offline',
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

// A stand-in for the Flutter SDK (an sh script at <sdk>/bin/flutter that records how it was called): it proves
// the build stage's Flutter step runs `pub get` and then `analyze` and `build web` in the client's folder,
// and that a failing analysis fails the step. Real Flutter is not on this machine or CI.
describe('the Flutter build step with a toolchain at FLUTTER_PATH', () => {
  const roots: string[] = [];
  after(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  async function buildWith(script: string) {
    const root = mkdtempSync(path.join(tmpdir(), 'lvlup-flutter-step-'));
    roots.push(root);
    const sdk = path.join(root, 'sdk');
    mkdirSync(path.join(sdk, 'bin'), { recursive: true });
    writeFileSync(path.join(sdk, 'bin', 'flutter'), script, { mode: 0o755 });
    const workTree = path.join(root, 'tree');
    mkdirSync(path.join(workTree, 'flutter'), { recursive: true });
    writeFileSync(path.join(workTree, 'flutter', 'pubspec.yaml'), 'name: x_client\n');
    const config = loadConfig({
      LVLUP_DATA_DIR: path.join(root, 'data'),
      FLUTTER_PATH: sdk,
      PROJECT_PACKAGE_CACHE: path.join(root, 'cache'),
    });
    const outcome = await flutterBuildStep(
      {
        project: { targets: ['web', 'flutter'] } as unknown as Project,
        config,
        signal: new AbortController().signal,
        log: async () => undefined,
      },
      await sandboxService(config),
      workTree,
    );
    return { outcome, calls: readFileSync(path.join(workTree, 'flutter', 'calls.log'), 'utf8') };
  }

  it('fetches the packages, then analyzes and builds the client for the web in its folder', async () => {
    const { outcome, calls } = await buildWith('#!/bin/sh\necho "flutter $*"\necho "$*" >> calls.log\n');
    assert.equal(outcome?.status, 'passed', outcome?.log);
    assert.equal(calls, 'pub get\nanalyze\nbuild web\n');
    assert.match(outcome?.log ?? '', /flutter pub get[\s\S]*flutter analyze[\s\S]*flutter build web/);
  });

  it('fails when the analysis fails, with what it printed', async () => {
    const { outcome, calls } = await buildWith(
      '#!/bin/sh\necho "$*" >> calls.log\nif [ "$1" = analyze ]; then echo "error • Undefined name"; exit 1; fi\n',
    );
    assert.equal(outcome?.status, 'failed');
    assert.match(outcome?.reason ?? '', /flutter analyze or build failed \(exit 1\)/);
    assert.match(outcome?.log ?? '', /Undefined name/);
    assert.equal(calls, 'pub get\nanalyze\n', 'nothing is built after a failed analysis');
  });
});
