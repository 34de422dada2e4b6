export type SuggestionRefusalCode =
  | 'stale_suggestion'
  | 'no_automatic_fix'
  | 'not_found'
  | 'llm_fix_rejected'
  | 'suggestion_not_pending'
  | 'repository_not_found';

/**
 * A review of a Guardian suggestion refused for a reason the caller can act on; the routes answer it as a
 * problem with this code (src/server/problem-table.ts gives its status), and the extensions as its members.
 */
export class SuggestionRefusedError extends Error {
  constructor(
    readonly code: SuggestionRefusalCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'SuggestionRefusedError';
  }
}
