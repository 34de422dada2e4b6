/** No deployment with this id. */
export class DeploymentNotFoundError extends Error {
  readonly code = 'deployment_not_found';
  constructor(readonly deploymentId: string) {
    super(`No deployment ${deploymentId}.`);
    this.name = 'DeploymentNotFoundError';
  }
}

/** The deployment's state does not allow the action (start while it runs, a second one for a project, …). */
export class DeploymentStateError extends Error {
  readonly code = 'deployment_state_conflict';
  constructor(
    readonly status: string,
    message: string,
  ) {
    super(message);
    this.name = 'DeploymentStateError';
  }
}
