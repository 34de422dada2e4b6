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

/** No deployment has this slug: nothing answers at /apps/{slug}/. */
export class AppNotFoundError extends Error {
  readonly code = 'app_not_found';
  constructor(readonly slug: string) {
    super(`No deployed app is at /apps/${slug}/.`);
    this.name = 'AppNotFoundError';
  }
}

/** The deployment at /apps/{slug}/ exists but its app does not run now (pending, building, failed, stopped…). */
export class AppNotRunningError extends Error {
  readonly code = 'app_not_running';
  constructor(
    readonly slug: string,
    readonly status: string,
    desired: string,
  ) {
    const state =
      desired === 'stopped' ? 'was stopped' : status === 'failed' ? 'failed to start' : 'is not running yet';
    super(`The app at /apps/${slug}/ ${state} (its deployment is ${status}).`);
    this.name = 'AppNotRunningError';
  }
}
