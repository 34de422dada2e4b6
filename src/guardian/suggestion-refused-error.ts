/**
 * A review of a Guardian suggestion refused for a reason the caller can act on; the routes answer it as a
 * problem with this status and code, and the extensions as its members.
 */
export class SuggestionRefusedError extends Error {
  constructor(
    readonly status: 404 | 409 | 422,
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'SuggestionRefusedError';
  }
}
