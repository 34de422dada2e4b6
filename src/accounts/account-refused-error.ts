export type AccountRefusalCode =
  | 'forbidden'
  | 'unauthorized'
  | 'login_throttled'
  | 'invalid_refresh_token'
  | 'not_found'
  | 'bad_request'
  | 'already_revoked'
  | 'email_taken'
  | 'csrf_failed';

/**
 * An account operation (signing in, registering, managing users and API keys) refused for a reason the
 * caller can act on; the routes answer it as a problem with this code (src/server/problem-table.ts gives its status), the extensions as its
 * members and, when `field` is set, a field error naming that body field.
 */
export class AccountRefusedError extends Error {
  constructor(
    readonly code: AccountRefusalCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
    readonly field?: { readonly name: string; readonly message: string },
  ) {
    super(message);
    this.name = 'AccountRefusedError';
  }
}
