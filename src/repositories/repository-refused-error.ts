/**
 * A repository operation refused for a reason the caller can act on; the routes answer it as a problem
 * with this status and code (and, when `field` is set, a field error naming the request field).
 */
export class RepositoryRefusedError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 413 | 422,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'RepositoryRefusedError';
  }
}
