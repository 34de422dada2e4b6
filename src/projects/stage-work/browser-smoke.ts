import { chromium, type Page, type Response } from 'playwright-core';
import type { SmokeInput, SmokePlan, SmokeResource } from '../../generation/smoke/smoke-plan.js';

// The browser smoke test of a generated web app: headless Chromium (CHROMIUM_PATH, outside the sandbox)
// opens the app at the loopback port that forwards to it and follows the smoke plan: the home page loads,
// each resource's list renders, an item created through its form shows in its list. Any page error or
// console error fails it. Chromium may only reach the app's own origin: every other request (http, ws) is
// aborted and reported, so the page's code cannot talk to lvlup or anything else on this machine.
//
// Chromium's own sandbox is kept unless lvlup runs as root, where Chromium refuses to start with it ("Running
// as root without --no-sandbox is not supported", crbug.com/638180); the report says which.

export interface SmokeStep {
  readonly resource: string | null;
  readonly action: 'home' | 'sign_in' | 'list' | 'create' | 'find_created';
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly detail: string;
  readonly duration_ms: number;
}

export interface SmokeReport {
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly reason?: string;
  readonly chromium: { path: string; version?: string; sandbox?: boolean; sandbox_note?: string };
  readonly origin?: string;
  readonly steps: readonly SmokeStep[];
  readonly page_errors: readonly string[];
  readonly console_errors: readonly string[];
  readonly blocked_requests: readonly string[];
  readonly duration_ms: number;
}

export interface SmokeOutcome {
  readonly report: SmokeReport;
  readonly screenshot: Buffer | undefined;
}

/** Each wait of the smoke test on the page; generous, since the machine may be busy. */
const WAIT_MS = 30_000;
const CHROMIUM_FLAGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--no-first-run',
  '--no-default-browser-check',
];

class StepFailed extends Error {}

const testId = (id: string) => `[data-testid="${id}"]`;

function routeOf(resource: SmokeResource, made: ReadonlyMap<string, string>): string | undefined {
  let route = resource.route;
  for (const parent of resource.parents) {
    const id = made.get(parent.resource);
    if (id === undefined) return undefined;
    route = route.replace(`:${parent.column}`, encodeURIComponent(id));
  }
  return route;
}

/** The path of a request to the collection `apiPath` (`/api/posts/{post_id}/comments`) as a pattern. */
function collectionPattern(apiPath: string): RegExp {
  const escaped = apiPath
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${escaped}$`);
}

export async function runBrowserSmoke(options: {
  plan: SmokePlan;
  origin: string;
  chromiumPath: string;
  signal: AbortSignal;
  log: (message: string) => Promise<void>;
}): Promise<SmokeOutcome> {
  const { plan, origin } = options;
  const started = performance.now();
  const steps: SmokeStep[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const blocked: string[] = [];
  const sandbox = process.getuid?.() !== 0;
  const browser = await chromium.launch({
    executablePath: options.chromiumPath,
    headless: true,
    chromiumSandbox: sandbox,
    args: CHROMIUM_FLAGS,
    timeout: WAIT_MS,
  });
  const abort = () => void browser.close();
  options.signal.addEventListener('abort', abort, { once: true });
  let screenshot: Buffer | undefined;
  try {
    const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1280, height: 800 } });
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
    await context.routeWebSocket(
      (url) => `http${url.protocol === 'wss:' ? 's' : ''}://${url.host}` !== origin,
      (socket) => {
        blocked.push(socket.url());
        return socket.close({ code: 1008, reason: 'only the app may be reached' });
      },
    );
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });

    const step = async (
      resource: string | null,
      action: SmokeStep['action'],
      work: () => Promise<string>,
    ): Promise<boolean> => {
      const began = performance.now();
      const errorsBefore = pageErrors.length + consoleErrors.length;
      let status: SmokeStep['status'] = 'passed';
      let detail: string;
      try {
        detail = await work();
        const alert = page.locator(testId('error')).first();
        if (await alert.isVisible()) throw new StepFailed(`the page shows an error: ${await alert.innerText()}`);
        if (pageErrors.length + consoleErrors.length > errorsBefore) {
          throw new StepFailed(
            `errors on the page: ${[...pageErrors, ...consoleErrors].slice(errorsBefore).join(' | ')}`,
          );
        }
      } catch (error) {
        if (options.signal.aborted) throw error;
        status = 'failed';
        detail = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      }
      steps.push({ resource, action, status, detail, duration_ms: Math.round(performance.now() - began) });
      await options.log(`smoke: ${action}${resource ? ` ${resource}` : ''}: ${status} — ${detail}`);
      return status === 'passed';
    };
    const skip = (resource: string, action: SmokeStep['action'], detail: string) =>
      steps.push({ resource, action, status: 'skipped', detail, duration_ms: 0 });
    /** A full load of a view: the page is opened afresh, so every view loads its data again. */
    const open = async (route: string) => {
      await page.goto('about:blank');
      await page.goto(`${origin}/#${route}`, { waitUntil: 'load' });
    };

    const home = await step(null, 'home', async () => {
      await open('/');
      await page.locator(testId('home')).waitFor();
      return `${await page.title()}: the built web app loaded`;
    });
    if (home && plan.signIn) {
      await step(null, 'sign_in', async () => {
        await open('/sign-in');
        await page.locator(testId('auth-email')).fill('smoke.user@example.com');
        await page.locator(testId('auth-password')).fill('smoke-test-password');
        await page.locator(testId('register')).click();
        await page.locator(testId('sign-out')).waitFor();
        return 'registered an account through the sign-in page';
      });
    }

    const made = new Map<string, string>();
    for (const resource of home ? plan.resources : []) {
      const route = routeOf(resource, made);
      if (route === undefined) {
        const reason = 'no item of a resource it nests under could be made';
        if (resource.listTestId) skip(resource.resource, 'list', reason);
        if (resource.create) skip(resource.resource, 'create', reason);
        continue;
      }
      if (resource.listTestId) {
        const listTestId = resource.listTestId;
        await step(resource.resource, 'list', async () => {
          await open(route);
          await page.locator(testId(listTestId)).waitFor();
          await page
            .locator(`${testId(`${resource.segment}-empty`)}, ${testId(`${resource.segment}-row`)}, ${testId('error')}`)
            .first()
            .waitFor();
          return `#${route} rendered its list`;
        });
      }
      const create = resource.create;
      if (!create) {
        skip(resource.resource, 'create', resource.createSkipped ?? 'no create operation');
        continue;
      }
      let createdId: string | undefined;
      await step(resource.resource, 'create', async () => {
        await open(`${route}/new`);
        const form = page.locator(testId(create.formTestId));
        await form.waitFor();
        for (const input of create.inputs) await setInput(page, input, made);
        const pattern = collectionPattern(resource.apiPath);
        const answered = page.waitForResponse(
          (response: Response) =>
            response.request().method() === 'POST' && pattern.test(new URL(response.url()).pathname),
        );
        await form.locator(testId('submit')).click();
        const response = await answered;
        const body = (await response.json().catch(() => undefined)) as { id?: unknown } | undefined;
        if (response.status() !== 201 || typeof body?.id !== 'string') {
          throw new StepFailed(`POST ${resource.apiPath} answered ${response.status()}: ${JSON.stringify(body)}`);
        }
        createdId = body.id;
        made.set(resource.resource, body.id);
        await page.waitForURL((url) => !url.hash.endsWith('/new'));
        return `created ${body.id} through #${route}/new`;
      });
      if (createdId === undefined || !resource.listTestId) continue;
      const id = createdId;
      await step(resource.resource, 'find_created', async () => {
        await open(route);
        const row = page.locator(`${testId(`${resource.segment}-row`)}[data-id="${id}"]`);
        await row.waitFor();
        if (create.shown !== undefined && !(await row.innerText()).includes(create.shown)) {
          throw new StepFailed(`the row of ${id} does not show ${JSON.stringify(create.shown)}`);
        }
        screenshot = await page.screenshot({ fullPage: true });
        return `the list shows ${id}`;
      });
    }
    screenshot ??= await page.screenshot({ fullPage: true });
    const failed = steps.filter((candidate) => candidate.status === 'failed');
    return {
      report: {
        status: failed.length === 0 ? 'passed' : 'failed',
        ...(failed.length > 0
          ? { reason: failed.map((one) => `${one.action} ${one.resource ?? ''}: ${one.detail}`).join('; ') }
          : {}),
        chromium: {
          path: options.chromiumPath,
          version: browser.version(),
          sandbox,
          ...(sandbox ? {} : { sandbox_note: 'lvlup runs as root, where Chromium does not start with its sandbox' }),
        },
        origin,
        steps,
        page_errors: pageErrors,
        console_errors: consoleErrors,
        blocked_requests: blocked,
        duration_ms: Math.round(performance.now() - started),
      },
      screenshot,
    };
  } finally {
    options.signal.removeEventListener('abort', abort);
    await browser.close();
  }
}

async function setInput(page: Page, input: SmokeInput, made: ReadonlyMap<string, string>): Promise<void> {
  const control = page.locator(testId(input.testId));
  switch (input.action) {
    case 'fill':
      return control.fill(input.value);
    case 'select':
      await control.selectOption(input.value);
      return;
    case 'check':
      return control.check();
    case 'reference': {
      const id = made.get(input.resource);
      if (id === undefined) throw new StepFailed(`no ${input.resource} was made to link to`);
      if (input.control === 'text') return control.fill(id);
      // the choices load from the target's list: wait for the item made before
      await control.locator(`option[value="${id}"]`).waitFor({ state: 'attached' });
      await control.selectOption(id);
      return;
    }
  }
}
