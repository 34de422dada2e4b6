/** No repository has the id. `field`, when set, names the request field that named it. */
export class RepositoryNotFoundError extends Error {
  readonly code = 'repository_not_found';
  constructor(
    readonly repositoryId: string,
    readonly field?: string,
  ) {
    super(`No repository ${repositoryId}.`);
    this.name = 'RepositoryNotFoundError';
  }
}
