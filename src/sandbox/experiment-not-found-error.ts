/** No sandbox experiment has the id. `field`, when set, names the request field that named it. */
export class ExperimentNotFoundError extends Error {
  readonly code = 'experiment_not_found';
  constructor(
    readonly experimentId: string,
    readonly field?: string,
  ) {
    super(`No experiment ${experimentId}.`);
    this.name = 'ExperimentNotFoundError';
  }
}
