import { AccountRefusedError } from '../accounts/account-refused-error.js';
import { HttpProblem } from './problem.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  429: 'Too Many Requests',
};

/** Turns the accounts module's refusals into problem responses; anything else passes through unchanged. */
export function accountProblem(error: unknown): unknown {
  if (!(error instanceof AccountRefusedError)) return error;
  return new HttpProblem(error.status, error.code, TITLES[error.status] ?? 'Error', error.message, {
    ...error.extensions,
    ...(error.field ? { errors: [{ field: `body.${error.field.name}`, message: error.field.message }] } : {}),
  });
}
