import { UnsupportedLanguageError as GuardianUnsupportedLanguageError } from '../analysis/guardian/analyze.js';
import { UnsupportedLanguageError as ImperiumUnsupportedLanguageError } from '../analysis/imperium/optimize.js';
import { EmailTakenError } from '../accounts/user-store.js';
import { AccountRefusedError } from '../accounts/account-refused-error.js';
import { SubscriptionRefusedError } from '../accounts/event-subscription.js';
import { AgentNotFoundError, AgentRefusedError } from '../agents/agent-errors.js';
import { SuggestionRefusedError } from '../guardian/suggestion-refused-error.js';
import { ExtensionRefusedError } from '../imperium/extension-refused-error.js';
import { TaskFinishedError } from '../tasks/cancel-task.js';
import { TaskNotFoundError } from '../tasks/require-task.js';
import { IdempotencyKeyReusedError } from '../agents/submit-manual-task.js';
import { ComputeBusyError, ComputeTimeoutError } from '../compute/compute.js';
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
import { ExperimentSandboxUnavailableError, ProposalNotInRepositoryError } from '../sandbox/start-experiment.js';
import { AlreadyRetriedError, InputNoLongerValidError, TaskNotRetryableError } from '../tasks/retry-task.js';
import { AgentNotRegisteredError, InvalidTaskInputError, UnknownAgentError } from '../tasks/task-queue.js';
import {
  ArtifactNotFoundError,
  InvalidProjectError,
  ProjectForbiddenError,
  ProjectNotFoundError,
  ProjectStateError,
} from '../projects/project-errors.js';
import {
  AppNotFoundError,
  AppNotRunningError,
  DeploymentNotFoundError,
  DeploymentStateError,
} from '../deployments/deployment-errors.js';
import type { FieldError } from './problem.js';

/** The one table of titles: a problem's `title` is its status's. */
export const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const titleOf = (status: number) => STATUS_TITLES[status] ?? 'Error';

/** Every error class of the domain modules that a request can end in; the error handler answers each. */
export const DOMAIN_ERROR_CLASSES = [
  RepositoryRefusedError,
  RepositoryNotFoundError,
  UnsafePathError,
  UnknownRevisionError,
  ProposalRefusedError,
  ProposalNotFoundError,
  IllegalTransitionError,
  ExperimentNotFoundError,
  ProposalNotInRepositoryError,
  ExperimentSandboxUnavailableError,
  UnknownAgentError,
  IdempotencyKeyReusedError,
  AgentNotFoundError,
  AgentRefusedError,
  TaskNotFoundError,
  TaskFinishedError,
  AccountRefusedError,
  SubscriptionRefusedError,
  SuggestionRefusedError,
  ExtensionRefusedError,
  AgentNotRegisteredError,
  InvalidTaskInputError,
  TaskNotRetryableError,
  AlreadyRetriedError,
  InputNoLongerValidError,
  LlmNotConfiguredError,
  BudgetExhaustedError,
  LlmInvalidOutputError,
  LlmProviderError,
  CircuitOpenError,
  ExtensionOutputError,
  LlmFixRejectedError,
  GuardianUnsupportedLanguageError,
  ImperiumUnsupportedLanguageError,
  EmailTakenError,
  ComputeBusyError,
  ComputeTimeoutError,
  ProjectNotFoundError,
  ProjectStateError,
  InvalidProjectError,
  ProjectForbiddenError,
  ArtifactNotFoundError,
  DeploymentNotFoundError,
  DeploymentStateError,
  AppNotFoundError,
  AppNotRunningError,
] as const;

export type DomainError = InstanceType<(typeof DOMAIN_ERROR_CLASSES)[number]>;
export type DomainErrorCode = DomainError['code'];

/**
 * The HTTP status of every domain error code (docs/problems.md). The problem's `code` is the error's own.
 * `satisfies` makes a code missing here a type error; src/server/problem-table.test.ts checks it too.
 */
export const DOMAIN_PROBLEM_STATUS = {
  // repositories
  invalid_clone_url: 400,
  not_a_repository: 400,
  unknown_branch: 400,
  unsafe_path: 400,
  local_paths_disabled: 403,
  path_not_allowed: 403,
  address_not_allowed: 403,
  not_found: 404,
  repository_not_found: 404,
  unknown_revision: 404,
  duplicate_repository: 409,
  diverged: 409,
  default_branch_missing: 409,
  repository_busy: 409,
  repository_unavailable: 409,
  file_too_large: 413,
  clone_failed: 422,
  fetch_failed: 422,
  // proposals
  invalid_patch: 400,
  repository_required: 400,
  duplicate_file: 400,
  proposal_not_found: 404,
  stale: 409,
  duplicate: 409,
  illegal_transition: 409,
  nothing_to_apply: 409,
  apply_in_progress: 409,
  invalid_input: 409,
  branch_exists: 409,
  target_checked_out: 409,
  target_moved: 409,
  apply_conflict: 409,
  auto_apply_blocked: 409,
  proposal_too_large: 413,
  unsupported_patch: 422,
  rule_suppressed: 422,
  no_op: 422,
  // sandbox
  experiment_not_found: 404,
  proposal_not_in_repository: 422,
  sandbox_unavailable: 503,
  // tasks and agents
  validation_failed: 400,
  unknown_agent: 404,
  idempotency_key_reused: 409,
  agent_name_taken: 409,
  agent_not_declarative: 409,
  agent_busy: 409,
  task_finished: 409,
  // accounts and event subscriptions
  bad_request: 400,
  unauthorized: 401,
  invalid_refresh_token: 401,
  forbidden: 403,
  csrf_failed: 403,
  already_revoked: 409,
  login_throttled: 429,
  unknown_topic: 400,
  // Guardian suggestions and Imperium extensions
  stale_suggestion: 409,
  no_automatic_fix: 409,
  suggestion_not_pending: 409,
  file_exists: 409,
  agent_not_registered: 409,
  task_not_retryable: 409,
  already_retried: 409,
  input_no_longer_valid: 409,
  // language models (a provider's timeout is 504, see problemOfDomainError)
  budget_exhausted: 429,
  llm_invalid_output: 502,
  llm_provider_error: 502,
  llm_not_configured: 503,
  circuit_open: 503,
  llm_fix_rejected: 422,
  // engines, accounts, compute
  unsupported_language: 400,
  email_taken: 409,
  server_busy: 503,
  // the input is what is too slow to analyse: the same input would time out again
  compute_timeout: 422,
  // projects
  project_not_found: 404,
  artifact_not_found: 404,
  deployment_not_found: 404,
  project_state_conflict: 409,
  deployment_state_conflict: 409,
  invalid_project: 422,
  // the reverse proxy at /apps/{slug}/
  app_not_found: 404,
  app_not_running: 503,
} as const satisfies Record<DomainErrorCode, number>;

export interface DomainProblem {
  readonly status: number;
  readonly code: DomainErrorCode;
  readonly title: string;
  readonly detail: string;
  readonly extensions: { errors?: readonly FieldError[] } & Record<string, unknown>;
  readonly headers: Readonly<Record<string, string>>;
}

/** Request fields a route names for a domain error's field (`unsafe_path` → `querystring.path`). */
export type ProblemFields = Partial<Record<DomainErrorCode, string>>;

export function isDomainError(error: unknown): error is DomainError {
  return DOMAIN_ERROR_CLASSES.some((domainClass) => error instanceof domainClass);
}

const fieldError = (field: string | undefined, message: string) => (field ? { errors: [{ field, message }] } : {});

function extensionsOf(error: DomainError, fields: ProblemFields): DomainProblem['extensions'] {
  if (error instanceof RepositoryRefusedError)
    return { ...error.extensions, ...fieldError(error.field, error.message) };
  if (error instanceof RepositoryNotFoundError) return fieldError(error.field, 'names no repository');
  if (error instanceof ProposalNotFoundError) return fieldError(error.field, 'names no proposal');
  if (error instanceof ExperimentNotFoundError) return fieldError(error.field, 'names no experiment');
  if (error instanceof UnsafePathError) return fieldError(fields.unsafe_path ?? 'file_path', error.reason);
  if (error instanceof UnknownRevisionError) {
    return fieldError(fields.unknown_revision ?? 'querystring.ref', 'names no commit in the repository');
  }
  if (error instanceof ProposalRefusedError) return error.extensions;
  if (error instanceof ComputeTimeoutError) return { timeout_ms: error.timeoutMs };
  if (error instanceof ProjectStateError) return { current_status: error.status };
  if (error instanceof DeploymentStateError) return { current_status: error.status };
  if (error instanceof AppNotRunningError) return { current_status: error.status };
  if (error instanceof InvalidProjectError) {
    return {
      errors: error.errors.map(({ pointer, message }) => ({
        field: `body${pointer.replaceAll('/', '.')}`,
        pointer,
        message,
      })),
    };
  }
  if (error instanceof IdempotencyKeyReusedError) return { task_id: error.taskId };
  if (error instanceof AgentRefusedError) return error.extensions;
  if (error instanceof TaskFinishedError) return { current_status: error.task.status };
  if (error instanceof SuggestionRefusedError) return error.extensions;
  if (error instanceof AccountRefusedError) {
    return {
      ...error.extensions,
      ...fieldError(error.field && `body.${error.field.name}`, error.field?.message ?? ''),
    };
  }
  if (error instanceof ExtensionRefusedError) {
    return fieldError(error.field && `body.${error.field.name}`, error.field?.message ?? '');
  }
  if (error instanceof ProposalNotInRepositoryError)
    return fieldError('body.proposal_id', 'must be a proposal of repository_id');
  if (error instanceof ExperimentSandboxUnavailableError)
    return { reason: error.reason, ...(error.fix ? { fix: error.fix } : {}) };
  if (error instanceof IllegalTransitionError) {
    return { current_status: error.current, requested_status: error.target };
  }
  if (error instanceof InvalidTaskInputError) return { errors: taskInputFieldErrors(error) };
  if (error instanceof TaskNotRetryableError) return { current_status: error.task.status };
  if (error instanceof AlreadyRetriedError) return { retry_id: error.retryId };
  if (error instanceof BudgetExhaustedError) {
    const { budget } = error;
    return {
      budget: {
        scope: budget.scope,
        period: budget.period,
        ...(budget.agentType !== undefined ? { agent_type: budget.agentType } : {}),
        limit: budget.limit,
        used: budget.used,
        resets_at: budget.resetsAt.toISOString(),
      },
    };
  }
  if (error instanceof LlmProviderError) {
    const { details } = error;
    return {
      provider: details.provider,
      model: details.model,
      reason: details.reason,
      ...(details.status !== undefined ? { provider_status: details.status } : {}),
      ...(details.retryAfterSeconds !== undefined ? { retry_after_seconds: details.retryAfterSeconds } : {}),
    };
  }
  if (error instanceof CircuitOpenError) {
    return { provider: error.provider, retry_at: error.retryAt.toISOString() };
  }
  if (error instanceof ExtensionOutputError) {
    return {
      errors: error.problems.map((problem) => ({ field: `output.${problem.field}`, message: problem.message })),
    };
  }
  if (error instanceof LlmFixRejectedError) return { reason: error.reason };
  return {};
}

/**
 * A task input's issues as field errors (`body.input.x`); an unknown key is named as its own field.
 */
export function taskInputFieldErrors(error: InvalidTaskInputError): FieldError[] {
  return error.issues.flatMap((issue) => {
    const at = [error.inputField, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: `${at}.${key}`, message: 'is not a field of this input' }));
    }
    return [{ field: at, message: issue.message }];
  });
}

function detailOf(error: DomainError): string {
  if (error instanceof InvalidTaskInputError) {
    const errors = taskInputFieldErrors(error);
    return `The input does not match the agent's input schema: ${errors.map((entry) => `${entry.field} ${entry.message}`).join('; ')}`;
  }
  return error.message;
}

/** When to come back, for the refusals that say: a full compute queue, a throttled sign-in. */
function retryAfterOf(error: DomainError): Record<string, string> {
  if (error instanceof ComputeBusyError) return { 'retry-after': String(error.retryAfterSeconds) };
  if (error instanceof AccountRefusedError && error.code === 'login_throttled') {
    return { 'retry-after': String(error.extensions.retry_after) };
  }
  return {};
}

/** The problem a domain error is answered with: its code, the table's status, and its details. */
export function problemOfDomainError(error: DomainError, fields: ProblemFields = {}): DomainProblem {
  const status =
    error instanceof LlmProviderError && error.details.reason === 'llm_timeout'
      ? 504
      : DOMAIN_PROBLEM_STATUS[error.code];
  return {
    status,
    code: error.code,
    title: titleOf(status),
    detail: detailOf(error),
    extensions: extensionsOf(error, fields),
    headers: retryAfterOf(error),
  };
}
