export type ExtensionRefusalCode =
  'repository_not_found' | 'unsafe_path' | 'unsupported_language' | 'validation_failed' | 'file_exists' | 'not_found';

/**
 * A create-extension request refused for a reason the caller can act on; the route answers it as a problem
 * with this code (src/server/problem-table.ts gives its status) and, when `field` is set, a field error naming that body field.
 */
export class ExtensionRefusedError extends Error {
  constructor(
    readonly code: ExtensionRefusalCode,
    message: string,
    readonly field?: { readonly name: string; readonly message: string },
  ) {
    super(message);
    this.name = 'ExtensionRefusedError';
  }
}
