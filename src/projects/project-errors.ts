/** No project with this id (or one the caller may not see). */
export class ProjectNotFoundError extends Error {
  readonly code = 'project_not_found';
  constructor(readonly projectId: string) {
    super(`No project ${projectId}.`);
    this.name = 'ProjectNotFoundError';
  }
}

/** The project's state does not allow the action (start while running, update once started, …). */
export class ProjectStateError extends Error {
  readonly code = 'project_state_conflict';
  constructor(
    readonly status: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProjectStateError';
  }
}

/** The spec, OpenAPI document, template or targets cannot be used; `pointer` names where (a JSON pointer). */
export class InvalidProjectError extends Error {
  readonly code = 'invalid_project';
  constructor(readonly errors: readonly { pointer: string; message: string }[]) {
    super(errors.map((error) => `${error.pointer}: ${error.message}`).join('; '));
    this.name = 'InvalidProjectError';
  }
}

/** Only the project's owner (or an admin) may change or delete it. */
export class ProjectForbiddenError extends Error {
  readonly code = 'forbidden';
  constructor(message: string) {
    super(message);
    this.name = 'ProjectForbiddenError';
  }
}

/** No artifact with this id in the project. */
export class ArtifactNotFoundError extends Error {
  readonly code = 'artifact_not_found';
  constructor(readonly artifactId: string) {
    super(`No artifact ${artifactId}.`);
    this.name = 'ArtifactNotFoundError';
  }
}
