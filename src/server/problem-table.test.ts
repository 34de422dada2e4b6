import {
  AppNotFoundError,
  AppNotRunningError,
  DeploymentNotFoundError,
  DeploymentStateError,
} from '../deployments/deployment-errors.js';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { z } from 'zod';
import { AccountRefusedError } from '../accounts/account-refused-error.js';
import { SubscriptionRefusedError } from '../accounts/event-subscription.js';
import { AgentNotFoundError, AgentRefusedError } from '../agents/agent-errors.js';
import { IdempotencyKeyReusedError } from '../agents/submit-manual-task.js';
import { ComputeTimeoutError } from '../compute/compute.js';
import { SuggestionRefusedError } from '../guardian/suggestion-refused-error.js';
import { ExtensionRefusedError } from '../imperium/extension-refused-error.js';
import { ExperimentSandboxUnavailableError, ProposalNotInRepositoryError } from '../sandbox/start-experiment.js';
import { TaskFinishedError } from '../tasks/cancel-task.js';
import { TaskNotFoundError } from '../tasks/require-task.js';
import { UnsupportedLanguageError as GuardianUnsupportedLanguageError } from '../analysis/guardian/analyze.js';
import { UnsupportedLanguageError as ImperiumUnsupportedLanguageError } from '../analysis/imperium/optimize.js';
import { EmailTakenError } from '../accounts/user-store.js';
import { ComputeBusyError } from '../compute/compute.js';
import { LlmFixRejectedError } from '../guardian/llm-fix.js';
import { ExtensionOutputError } from '../imperium/create-extension.js';
import {
  BudgetExhaustedError,
  CircuitOpenError,
  LlmInvalidOutputError,
  LlmNotConfiguredError,
  LlmProviderError,
} from '../llm/language-model-errors.js';
import { ProposalRefusedError } from '../proposals/proposal-refused-error.js';
import { IllegalTransitionError, ProposalNotFoundError } from '../proposals/transition-store.js';
import { UnknownRevisionError } from '../repositories/git-repository.js';
import { RepositoryNotFoundError } from '../repositories/repository-not-found-error.js';
import { RepositoryRefusedError } from '../repositories/repository-refused-error.js';
import { UnsafePathError } from '../repositories/safe-path.js';
import { ExperimentNotFoundError } from '../sandbox/experiment-not-found-error.js';
import { AlreadyRetriedError, InputNoLongerValidError, TaskNotRetryableError } from '../tasks/retry-task.js';
import {
  ArtifactNotFoundError,
  InvalidProjectError,
  ProjectForbiddenError,
  ProjectNotFoundError,
  ProjectStateError,
} from '../projects/project-errors.js';
import type { TaskRow } from '../tasks/task-store.js';
import { AgentNotRegisteredError, InvalidTaskInputError, UnknownAgentError } from '../tasks/task-queue.js';
import { registerErrorHandling } from './error-handler.js';
import { DOMAIN_ERROR_CLASSES, DOMAIN_PROBLEM_STATUS, STATUS_TITLES, type DomainError } from './problem-table.js';

const SOURCE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Error classes of the domain modules that never end a request, so they have no problem: each is caught
 * and told as something else, or fails a task, a process start or a CLI command. A new error class goes
 * either into the table (src/server/problem-table.ts) or here, with the reason.
 */
const NOT_REQUEST_ERRORS: Readonly<Record<string, string>> = {
  'config/config.ts#ConfigError': 'refuses to start the process',
  'db/data-directory-lock.ts#DataDirectoryLockedError': 'refuses to start the process',
  'git/git.ts#GitError': 'a bug or an outage when it reaches a request: 500, details in the log',
  'github/github-error.ts#GitHubError': 'fails the pull-request step of applying, recorded on the proposal',
  'network/address-guard.ts#OutboundAddressError': 'told as RepositoryRefusedError address_not_allowed',
  'sandbox/isolation/errors.ts#SandboxUnavailableError': 'fails a sandbox task; routes check sandboxStatus',
  'sandbox/isolation/errors.ts#SandboxRefusedError': 'fails a sandbox task',
  'tasks/task-errors.ts#TaskFailure': 'fails a task, stored as its error',
  'projects/stage-work/stage-work.ts#StageFailedError':
    'fails a pipeline stage (and its task), stored on the stage and the project',
  'projects/stage-work/sandboxed-app.ts#AppStartError': 'fails the browser smoke test, told in its report',
  'generation/backend/problems-file.ts#HttpProblem': 'text of a generated app, not a class of lvlup',
  'generation/frontend/api-runtime.ts#ApiError': 'text of a generated app, not a class of lvlup',
};

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Files below src/ outside the outermost layers (src/server/, src/cli/): the domain modules and engines. */
const domainFiles = () =>
  sourceFiles(SOURCE_ROOT).filter((path) => !/^(server|cli)\//.test(relative(SOURCE_ROOT, path)));

/** Exported error classes declared in the domain modules, with the codes their source declares. */
async function declaredErrorClasses() {
  const declared: { at: string; errorClass: unknown; codes: string[] }[] = [];
  for (const path of domainFiles()) {
    const source = readFileSync(path, 'utf8');
    const classes = [...source.matchAll(/^export class (\w+) extends Error \{([\s\S]*?)^\}/gm)];
    if (classes.length === 0) continue;
    const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    for (const [, name, body] of classes) {
      const codes = [...body!.matchAll(/readonly code = '([a-z_]+)'/g)].map((match) => match[1]!);
      declared.push({ at: `${relative(SOURCE_ROOT, path)}#${name}`, errorClass: module[name!], codes });
    }
  }
  return declared;
}

const issues = z.strictObject({ mode: z.enum(['fast']) }).safeParse({ mode: 'slow', extra: 1 }).error!.issues;
const task = { id: 'task-1', status: 'running' } as TaskRow;

/** One error of every domain error class (every code of a family), as a route would throw it. */
const SAMPLES: readonly DomainError[] = [
  new ProposalNotInRepositoryError('proposal-1', 'repository-1'),
  new ExperimentSandboxUnavailableError('bubblewrap_missing', 'install bubblewrap'),
  new IdempotencyKeyReusedError('task-1'),
  new AgentNotFoundError('agent-1'),
  new AgentRefusedError('agent_name_taken', 'The name is taken.', { name: 'x' }),
  new AgentRefusedError('agent_not_declarative', 'A built-in agent.'),
  new AgentRefusedError('agent_busy', 'Tasks wait.'),
  new AgentRefusedError('agent_not_registered', 'Not here.'),
  new TaskNotFoundError('task-1'),
  new TaskFinishedError('task-1', task),
  new ComputeTimeoutError('analyze', 60_000),
  new ProjectNotFoundError('project-1'),
  new ProjectStateError('running', 'The project is running.'),
  new InvalidProjectError([{ pointer: '/spec/entities/0/name', message: 'Required' }]),
  new ProjectForbiddenError('Only the owner may delete it.'),
  new ArtifactNotFoundError('artifact-1'),
  new DeploymentNotFoundError('deployment-1'),
  new DeploymentStateError('running', 'The deployment is running already.'),
  new AppNotFoundError('shop-0a1b2c3d'),
  new AppNotRunningError('shop-0a1b2c3d', 'building', 'running'),
  ...(
    [
      'forbidden',
      'unauthorized',
      'login_throttled',
      'invalid_refresh_token',
      'not_found',
      'bad_request',
      'already_revoked',
      'email_taken',
      'csrf_failed',
    ] as const
  ).map(
    (code) => new AccountRefusedError(code, `refused: ${code}`, code === 'login_throttled' ? { retry_after: 30 } : {}),
  ),
  new SubscriptionRefusedError('unknown_topic', 'No topic x.'),
  new SubscriptionRefusedError('forbidden', 'Needs agents:read.'),
  ...(
    [
      'stale_suggestion',
      'no_automatic_fix',
      'not_found',
      'llm_fix_rejected',
      'suggestion_not_pending',
      'repository_not_found',
    ] as const
  ).map((code) => new SuggestionRefusedError(code, `refused: ${code}`)),
  ...(
    [
      'repository_not_found',
      'unsafe_path',
      'unsupported_language',
      'validation_failed',
      'file_exists',
      'not_found',
    ] as const
  ).map((code) => new ExtensionRefusedError(code, `refused: ${code}`)),
  ...RepositoryRefusedError.codes.map((code) => new RepositoryRefusedError(code, `refused: ${code}`)),
  new RepositoryRefusedError('invalid_clone_url', 'not https', 'body.clone_url', { hint: 'use https://' }),
  new RepositoryNotFoundError('repository-1'),
  new RepositoryNotFoundError('repository-1', 'body.input.repository_id'),
  new UnsafePathError('../x', 'contains ".."'),
  new UnknownRevisionError('nope'),
  ...ProposalRefusedError.codes.map((code) => new ProposalRefusedError(code, `refused: ${code}`)),
  new ProposalNotFoundError('proposal-1'),
  new IllegalTransitionError('proposal-1', 'rejected', 'accepted'),
  new ExperimentNotFoundError('experiment-1', 'body.input.experiment_id'),
  new UnknownAgentError('nobody'),
  new AgentNotRegisteredError('gone'),
  new InvalidTaskInputError(issues, 'body.input'),
  new TaskNotRetryableError(task),
  new AlreadyRetriedError('task-1', 'task-2'),
  new InputNoLongerValidError('task-1', 'mode: invalid'),
  new LlmNotConfiguredError(),
  new BudgetExhaustedError({
    scope: 'agent',
    period: 'day',
    agentType: 'imperium',
    limit: 10,
    used: 12,
    resetsAt: new Date('2026-03-16T00:00:00Z'),
  }),
  new LlmInvalidOutputError('not the schema', 'missing field', '{}'),
  ...(['llm_server_error', 'llm_timeout'] as const).map(
    (reason) =>
      new LlmProviderError('the provider failed', {
        provider: 'openai',
        model: 'gpt-4o-mini',
        reason,
        status: 500,
        retryable: true,
        retryAfterSeconds: 3,
        attempts: 2,
      }),
  ),
  new CircuitOpenError('openai', new Date('2026-03-16T00:00:00Z')),
  new ExtensionOutputError([{ field: 'files.0.file_path', message: 'is absolute' }]),
  new LlmFixRejectedError('does not parse'),
  new GuardianUnsupportedLanguageError('a.txt'),
  new ImperiumUnsupportedLanguageError('a.txt'),
  new EmailTakenError('a@example.com'),
  new ComputeBusyError(4, 10),
];

async function answer(error: Error, config: Record<string, unknown> = {}) {
  const app = Fastify();
  registerErrorHandling(app);
  app.get('/failing', { config }, () => {
    throw error;
  });
  try {
    return await app.inject({ method: 'GET', url: '/failing' });
  } finally {
    await app.close();
  }
}

describe('the problem table', () => {
  it('knows every error class of the domain modules, or says why it never ends a request', async () => {
    const declared = await declaredErrorClasses();
    assert.ok(declared.length >= DOMAIN_ERROR_CLASSES.length, 'the source scan found the error classes');
    const known = new Set<unknown>(DOMAIN_ERROR_CLASSES);
    const unmapped = declared.filter(({ at, errorClass }) => !known.has(errorClass) && !(at in NOT_REQUEST_ERRORS));
    assert.deepEqual(
      unmapped.map(({ at }) => at),
      [],
      'map these in src/server/problem-table.ts (or list them in NOT_REQUEST_ERRORS with the reason)',
    );
    for (const at of Object.keys(NOT_REQUEST_ERRORS)) {
      assert.ok(
        declared.some((entry) => entry.at === at),
        `${at} is listed as never ending a request but not declared`,
      );
    }
    // every declared code of a mapped class has a status
    for (const { at, errorClass, codes } of declared) {
      if (!known.has(errorClass)) continue;
      for (const code of codes) assert.ok(code in DOMAIN_PROBLEM_STATUS, `${at}: code ${code} has no status`);
    }
  });

  it('has a status for every code of the error families', () => {
    for (const code of [...RepositoryRefusedError.codes, ...ProposalRefusedError.codes]) {
      assert.ok(code in DOMAIN_PROBLEM_STATUS, `${code} has no status`);
    }
  });

  it('gives every status a title', () => {
    for (const [code, status] of Object.entries(DOMAIN_PROBLEM_STATUS)) {
      assert.ok(status >= 400 && status < 600, `${code}: ${status}`);
      assert.ok(STATUS_TITLES[status], `${code}: no title for ${status}`);
    }
  });

  it('answers every domain error as a problem whose numeric status is the HTTP status', async () => {
    const sampled = new Set(SAMPLES.map((error) => error.constructor));
    for (const domainClass of DOMAIN_ERROR_CLASSES)
      assert.ok(sampled.has(domainClass), `no sample of ${domainClass.name}`);
    for (const error of SAMPLES) {
      const response = await answer(error);
      const body = response.json<Record<string, unknown>>();
      const timeout = error instanceof LlmProviderError && error.details.reason === 'llm_timeout';
      const expected = timeout ? 504 : DOMAIN_PROBLEM_STATUS[error.code];
      assert.equal(response.statusCode, expected, error.code);
      assert.equal(body.status, expected, error.code);
      assert.equal(typeof body.status, 'number');
      assert.equal(body.code, error.code);
      assert.equal(body.type, `/problems/${error.code}`);
      assert.equal(body.title, STATUS_TITLES[expected]);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
    }
  });

  it('keeps the details a client acts on', async () => {
    const provider = await answer(SAMPLES.find((error) => error instanceof LlmProviderError)!);
    assert.deepEqual(
      [provider.json().provider, provider.json().reason, provider.json().provider_status],
      ['openai', 'llm_server_error', 500],
    );
    const busy = await answer(new ComputeBusyError(7, 3));
    assert.equal(busy.headers['retry-after'], '7');
    const input = await answer(new InvalidTaskInputError(issues, 'body.input'));
    assert.deepEqual(
      input.json().errors.map((entry: { field: string }) => entry.field),
      ['body.input.mode', 'body.input.extra'],
    );
    const reference = await answer(new RepositoryNotFoundError('r-1', 'body.input.repository_id'));
    assert.deepEqual(reference.json().errors, [{ field: 'body.input.repository_id', message: 'names no repository' }]);
    const refused = await answer(
      new RepositoryRefusedError('invalid_clone_url', 'not https', 'body.clone_url', { hint: 'x' }),
    );
    assert.deepEqual([refused.json().hint, refused.json().errors[0].field], ['x', 'body.clone_url']);
    const transition = await answer(new IllegalTransitionError('p-1', 'rejected', 'accepted'));
    assert.deepEqual([transition.json().current_status, transition.json().requested_status], ['rejected', 'accepted']);
  });

  it('names the request field a route gives for a domain error', async () => {
    const unsafe = new UnsafePathError('../x', 'contains ".."');
    assert.equal((await answer(unsafe)).json().errors[0].field, 'file_path');
    const named = await answer(unsafe, { problemFields: { unsafe_path: 'querystring.path' } });
    assert.deepEqual(named.json().errors, [{ field: 'querystring.path', message: 'contains ".."' }]);
  });

  it('is the only way from a domain module to HTTP: no domain module imports the server’s problems', () => {
    const offenders = domainFiles().filter((path) =>
      /from '(\.\.\/)+server\/(problem|problem-table|error-handler)\.js'/.test(readFileSync(path, 'utf8')),
    );
    assert.deepEqual(
      offenders.map((path) => relative(SOURCE_ROOT, path)),
      [],
    );
  });
});
