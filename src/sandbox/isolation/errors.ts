/** Mode `bwrap` was asked for, but bubblewrap is missing or cannot create a sandbox on this machine. */
export class SandboxUnavailableError extends Error {
  readonly code = 'sandbox_unavailable';

  constructor(message: string) {
    super(message);
    this.name = 'SandboxUnavailableError';
  }
}
