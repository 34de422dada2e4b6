/**
 * An account operation (signing in, registering, managing users and API keys) refused for a reason the
 * caller can act on; the routes answer it as a problem with this status and code, the extensions as its
 * members and, when `field` is set, a field error naming that body field.
 */
export class AccountRefusedError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 429,
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
    readonly field?: { readonly name: string; readonly message: string },
  ) {
    super(message);
    this.name = 'AccountRefusedError';
  }
}
