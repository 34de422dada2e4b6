/**
 * A create-extension request refused for a reason the caller can act on; the route answers it as a problem
 * with this status and code and, when `field` is set, a field error naming that body field.
 */
export class ExtensionRefusedError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
    readonly field?: { readonly name: string; readonly message: string },
  ) {
    super(message);
    this.name = 'ExtensionRefusedError';
  }
}
