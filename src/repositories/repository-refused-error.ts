/** Every code a repository operation can be refused with (docs/problems.md). */
export const REPOSITORY_REFUSAL_CODES = [
  'invalid_clone_url',
  'not_a_repository',
  'unknown_branch',
  'local_paths_disabled',
  'path_not_allowed',
  'address_not_allowed',
  'not_found',
  'duplicate_repository',
  'diverged',
  'default_branch_missing',
  'repository_busy',
  'repository_unavailable',
  'file_too_large',
  'clone_failed',
  'fetch_failed',
] as const;
export type RepositoryRefusalCode = (typeof REPOSITORY_REFUSAL_CODES)[number];

/**
 * A repository operation refused for a reason the caller can act on. `field`, when set, names the request
 * field at fault; the server's problem table (src/server/problem-table.ts) decides the HTTP status.
 */
export class RepositoryRefusedError extends Error {
  static readonly codes = REPOSITORY_REFUSAL_CODES;

  constructor(
    readonly code: RepositoryRefusalCode,
    message: string,
    readonly field?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'RepositoryRefusedError';
  }
}
