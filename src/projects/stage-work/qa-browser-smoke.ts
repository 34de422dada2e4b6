import type { SandboxCommandResult } from '../../db/schema.js';
import { smokePlanOf } from '../../generation/smoke/smoke-plan.js';
import type { SandboxService } from '../../sandbox/sandbox-service.js';
import { chromiumStatus } from '../project-tools.js';
import { runBrowserSmoke, type SmokeReport } from './browser-smoke.js';
import { projectModel } from './project-model.js';
import { AppStartError, startSandboxedApp } from './sandboxed-app.js';
import type { StageArtifact, StageInput } from './stage-work.js';

// The QA stage's browser smoke test: whether it runs (a web frontend, and Chromium where CHROMIUM_PATH
// says), the built app started in the Sandbox with a database of its own (in memory), and what is kept:
// the JSON report and a screenshot.

/** The command that builds the web app into dist/web, which the backend serves at `/`. */
export const WEB_BUILD_COMMAND = 'npm run build:web';

export interface SmokeStepOutcome {
  readonly report: Omit<SmokeReport, 'chromium'> & { chromium: Partial<SmokeReport['chromium']> };
  readonly artifacts: readonly StageArtifact[];
  /** for the stage's reason: the smoke test should have run and could not (no Chromium) */
  readonly note?: string;
}

const skipped = (reason: string, chromiumPath: string): SmokeStepOutcome['report'] => ({
  status: 'skipped',
  reason,
  chromium: { path: chromiumPath },
  steps: [],
  page_errors: [],
  console_errors: [],
  blocked_requests: [],
  duration_ms: 0,
});

/** Whether the smoke test can run, decided before anything is built for it: undefined when it can. */
export async function smokeSkipReason(input: Pick<StageInput, 'project' | 'config'>): Promise<string | undefined> {
  if (!input.project.targets.includes('web')) {
    return `the targets are ${input.project.targets.join(', ')}: the app has no web frontend to open`;
  }
  const chromium = await chromiumStatus(input.config);
  return chromium.available ? undefined : chromium.reason;
}

function artifactsOf(report: SmokeStepOutcome['report'], screenshot: Buffer | undefined): StageArtifact[] {
  return [
    {
      kind: 'test_report',
      name: 'smoke-report.json',
      mediaType: 'application/json',
      content: `${JSON.stringify(report, null, 2)}\n`,
    },
    ...(screenshot ? [{ kind: 'screenshot', name: 'smoke.png', mediaType: 'image/png', content: screenshot }] : []),
  ];
}

/**
 * Runs the smoke test against the app built in `workTree` (dist/ and dist/web), or says why it was skipped.
 * `webBuild` is the result of WEB_BUILD_COMMAND in the sandbox.
 */
export async function browserSmokeStep(
  input: Pick<StageInput, 'project' | 'folder' | 'engine' | 'config' | 'signal' | 'log'>,
  service: SandboxService,
  workTree: string,
  webBuild: SandboxCommandResult | undefined,
): Promise<SmokeStepOutcome> {
  const chromiumPath = input.config.chromiumPath;
  const reason = await smokeSkipReason(input);
  if (reason !== undefined) {
    await input.log(`browser smoke test skipped: ${reason}`);
    const report = skipped(reason, chromiumPath);
    const web = input.project.targets.includes('web');
    return {
      report,
      artifacts: artifactsOf(report, undefined),
      ...(web ? { note: `browser smoke test skipped: ${reason}` } : {}),
    };
  }
  const failed = (why: string): SmokeStepOutcome => {
    const report = { ...skipped(why, chromiumPath), status: 'failed' as const };
    return { report, artifacts: artifactsOf(report, undefined) };
  };
  if (!webBuild || webBuild.exit_code !== 0) {
    return failed(`${WEB_BUILD_COMMAND} failed in the sandbox:\n${webBuild?.output_tail.slice(-4000) ?? ''}`);
  }
  const plan = smokePlanOf(await projectModel(input.project, input.folder, input.engine));
  let app;
  try {
    app = await startSandboxedApp(service, { workTree, signal: input.signal });
  } catch (error) {
    if (!(error instanceof AppStartError)) throw error;
    return failed(`${error.message}:\n${error.output.slice(-4000)}`);
  }
  try {
    const { report, screenshot } = await runBrowserSmoke({
      plan,
      origin: app.origin,
      chromiumPath,
      signal: input.signal,
      log: input.log,
    });
    return { report, artifacts: artifactsOf(report, screenshot) };
  } catch (error) {
    // Chromium that does not start (or crashes) fails the smoke test: it never passes untested
    if (input.signal.aborted) throw error;
    return failed(`the browser failed: ${(error as Error).message.slice(0, 4000)}`);
  } finally {
    await app.stop();
  }
}
