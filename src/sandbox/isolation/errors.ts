/**
 * No sandbox can run commands here: bubblewrap is missing or cannot create a sandbox (modes `auto` and
 * `bwrap`), or process mode cannot switch away from root. `fix` says what the operator can do about it.
 */
export class SandboxUnavailableError extends Error {
  readonly code = 'sandbox_unavailable';

  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'SandboxUnavailableError';
  }
}

/**
 * Process mode refuses a command that would run as root: lvlup runs as root and the unprivileged account
 * cannot reach the work tree (a folder above it is not searchable by others).
 */
export class SandboxRefusedError extends Error {
  readonly code = 'sandbox_refused';

  constructor(message: string) {
    super(message);
    this.name = 'SandboxRefusedError';
  }
}
