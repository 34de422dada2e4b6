import { UnsafePathError } from '../repositories/safe-path.js';
import { conflict, HttpProblem, notFound } from '../server/problem.js';
import { ProposalRefusedError } from '../inbox/create-proposal.js';
import { IllegalTransitionError, ProposalNotFoundError } from './transition.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  422: 'Unprocessable Content',
};

/** Maps the proposal domain's errors to problem responses; anything else passes through unchanged. */
export function asProblem(error: unknown): unknown {
  if (error instanceof ProposalRefusedError) {
    return new HttpProblem(error.status, error.code, TITLES[error.status] ?? 'Error', error.message, error.extensions);
  }
  if (error instanceof UnsafePathError) {
    return new HttpProblem(400, 'unsafe_path', 'Bad Request', error.message, {
      errors: [{ field: 'file_path', message: error.reason }],
    });
  }
  if (error instanceof ProposalNotFoundError) return notFound(error.message);
  if (error instanceof IllegalTransitionError) {
    return conflict('illegal_transition', error.message, {
      current_status: error.current,
      requested_status: error.target,
    });
  }
  return error;
}
