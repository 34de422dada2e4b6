import type { GeneratedFiles } from '../generated-files.js';

// src/problems.ts of the generated app: every error answers application/problem+json (RFC 9457) with
// type, title, status and detail. Bad input is the client's to fix (4xx), never a 500.

const PROBLEMS = `import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}

/** An answer other than success, thrown by a route and sent as a problem by the error handler. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail);
  }
}

export const notFound = (detail: string) => new HttpProblem(404, detail);
export const unauthorized = (detail: string) => new HttpProblem(401, detail);

export function sendProblem(reply: FastifyReply, status: number, detail: string): FastifyReply {
  const problem: Problem = { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail };
  if (status === 401) reply.header('WWW-Authenticate', 'Bearer');
  return reply.status(status).type('application/problem+json').send(problem);
}

/**
 * PostgreSQL's error codes (SQLSTATE) that a request can cause: a taken unique value (23505), a reference
 * to a row that is not there (23503) or a delete of a row still referenced (23503, 23001) is a conflict;
 * a value PostgreSQL refuses is bad input.
 */
function statusOfDatabaseError(code: string): number | undefined {
  if (code === '23505' || code === '23503' || code === '23001') return 409;
  if (code === '23502' || code === '23514' || code.startsWith('22')) return 400;
  return undefined;
}

function databaseErrorOf(error: unknown): { code: string; detail: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, detail, message } = error as { code?: unknown; detail?: unknown; message?: unknown };
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  return { code, detail: typeof detail === 'string' ? detail : String(message) };
}

export function answerErrorsWithProblems(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpProblem) return sendProblem(reply, error.status, error.message);
    if (error.validation) return sendProblem(reply, 400, error.message);
    const databaseError = databaseErrorOf(error);
    const databaseStatus = databaseError && statusOfDatabaseError(databaseError.code);
    if (databaseError && databaseStatus) return sendProblem(reply, databaseStatus, databaseError.detail);
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendProblem(reply, status, error.message);
    request.log.error(error);
    return sendProblem(reply, 500, 'the server failed to answer; the error is in its log');
  });
}
`;

export function problemFiles(): GeneratedFiles {
  return { 'src/problems.ts': PROBLEMS };
}
