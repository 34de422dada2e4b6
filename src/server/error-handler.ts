import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ComputeBusyError, ComputeTimeoutError } from '../compute/compute.js';
import { asLanguageModelProblem } from '../llm/errors-to-problems.js';
import { HttpProblem, type FieldError, type ProblemBody } from './problem.js';

const TITLES: Record<number, string> = {
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
  503: 'Service Unavailable',
};

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_RATE_LIMITED: 'rate_limited',
};

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string | undefined,
  extensions: Record<string, unknown> = {},
  title = TITLES[status] ?? 'Error',
) {
  // The problem's own members come last: an extension can add members, never replace `status` (the
  // HTTP status, always a number), `type`, `code` or the others.
  const body: ProblemBody & Record<string, unknown> = {
    ...extensions,
    type: `/problems/${code}`,
    title,
    status,
    code,
    ...(detail ? { detail } : {}),
    instance: request.url,
    request_id: request.id,
  };
  return reply.code(status).type('application/problem+json; charset=utf-8').serializer(JSON.stringify).send(body);
}

function validationErrors(error: FastifyError): FieldError[] {
  const context = error.validationContext ?? 'body';
  if (hasZodFastifySchemaValidationErrors(error)) {
    return error.validation.map((issue) => ({
      field: [context, ...issue.instancePath.split('/').filter(Boolean)].join('.'),
      message: issue.message ?? 'is invalid',
    }));
  }
  return (error.validation ?? []).map((issue) => ({
    field: [context, ...issue.instancePath.split('/').filter(Boolean)].join('.'),
    message: issue.message ?? 'is invalid',
  }));
}

/**
 * The one place errors become responses. Expected errors keep their message; anything else is a 500
 * whose details stay in the log, keyed by the request id the client receives.
 */
export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // The compute pool's queue is full (src/compute/compute-pool.ts), from any route that uses it.
    if ((error as unknown) instanceof ComputeBusyError) {
      const busy = error as unknown as ComputeBusyError;
      reply.header('retry-after', String(busy.retryAfterSeconds));
      return sendProblem(request, reply, 503, busy.code, busy.message, {}, 'Service Unavailable');
    }
    // A task ran past COMPUTE_TASK_TIMEOUT_MS on its thread: the input is what is too slow to analyse.
    if ((error as unknown) instanceof ComputeTimeoutError) {
      const timeout = error as unknown as ComputeTimeoutError;
      return sendProblem(request, reply, 422, timeout.code, timeout.message, { timeout_ms: timeout.timeoutMs });
    }
    // The LLM layer's errors (llm_not_configured, budget_exhausted, …) reach here from any route.
    const problem = error instanceof HttpProblem ? error : asLanguageModelProblem(error);
    if (problem instanceof HttpProblem) {
      return sendProblem(
        request,
        reply,
        problem.status,
        problem.code,
        problem.detail,
        problem.extensions,
        problem.title,
      );
    }
    if (error.validation) {
      const errors = validationErrors(error);
      return sendProblem(
        request,
        reply,
        400,
        'validation_failed',
        `Request validation failed: ${errors.map((entry) => `${entry.field} ${entry.message}`).join('; ')}`,
        { errors },
      );
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = FASTIFY_CODES[error.code] ?? (TITLES[status] ?? 'error').toLowerCase().replaceAll(' ', '_');
      if (status === 429) reply.header('retry-after', reply.getHeader('ratelimit-reset') ?? '60');
      return sendProblem(request, reply, status, code, error.message);
    }
    request.log.error({ err: error }, 'request failed');
    return sendProblem(
      request,
      reply,
      status >= 500 && status < 600 ? status : 500,
      'internal_error',
      `An unexpected error occurred; quote request id ${request.id} when reporting it.`,
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, 404, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`),
  );
}
