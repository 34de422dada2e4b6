import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { HttpProblem, type FieldError, type ProblemBody } from './problem.js';
import { isPageNavigation, sendWebAppPage, webAppBuilt } from './web-app.js';
import { isDomainError, problemOfDomainError, STATUS_TITLES, titleOf } from './problem-table.js';

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
  title = titleOf(status),
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
    // A domain module's refusal (src/server/problem-table.ts maps its code to a status), from any route.
    if (isDomainError(error)) {
      const problem = problemOfDomainError(error, request.routeOptions.config.problemFields);
      reply.headers(problem.headers);
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
    if (error instanceof HttpProblem) {
      const problem = error;
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
      const code = FASTIFY_CODES[error.code] ?? (STATUS_TITLES[status] ?? 'error').toLowerCase().replaceAll(' ', '_');
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

  // The dashboard's pages (/inbox, /tasks/…) are routed in the browser: a page load of any other URL gets its
  // index.html, which shows the page or the dashboard's own "not found".
  app.setNotFoundHandler((request, reply) =>
    isPageNavigation(request)
      ? sendPage(request, reply)
      : sendProblem(request, reply, 404, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`),
  );
}

/** The web dashboard's page, or 503 `web_not_built` when the server was started without a build of it. */
export function sendPage(request: FastifyRequest, reply: FastifyReply) {
  if (webAppBuilt()) return sendWebAppPage(reply);
  return sendProblem(
    request,
    reply,
    503,
    'web_not_built',
    'The web dashboard is not built: run `npm run build:web` (npm start builds it when it is missing).',
  );
}
