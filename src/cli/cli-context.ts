import type { Config } from '../config/config.js';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly environment: Record<string, string | undefined>;
  readonly workingDirectory: string;
}

export interface CliContext {
  readonly io: CliIo;
  /** Reads and validates the configuration; commands call it so that `--help` works with a bad one. */
  config(): Config;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
