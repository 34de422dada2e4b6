import { execFile } from 'node:child_process';

export class GitError extends Error {
  readonly code = 'git_failed';
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args[0] ?? ''} failed (${exitCode ?? 'killed'}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    this.name = 'GitError';
  }
}

export interface GitOptions {
  readonly cwd: string;
  readonly input?: string | Buffer;
  readonly timeoutMs?: number;
  /** extra `-c name=value` settings, e.g. an auth header that must not be stored in the repository */
  readonly settings?: readonly string[];
  readonly environment?: Record<string, string>;
}

function gitEnvironment(options: GitOptions): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/nonexistent',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'lvlup',
    GIT_AUTHOR_EMAIL: 'lvlup@localhost',
    GIT_COMMITTER_NAME: 'lvlup',
    GIT_COMMITTER_EMAIL: 'lvlup@localhost',
    LC_ALL: 'C',
    ...options.environment,
  };
}

function fullArguments(args: readonly string[], options: GitOptions): string[] {
  return [...(options.settings ?? []).flatMap((setting) => ['-c', setting]), ...args];
}

/**
 * Runs the git CLI with an argument array (never a shell), no terminal prompts, no system or global
 * configuration (so a user's hooks, aliases or credential helpers cannot change what lvlup does), and a
 * fixed identity for the commits it makes. Output is bytes (blob contents need not be text).
 */
export function gitBytes(args: readonly string[], options: GitOptions): Promise<{ stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      fullArguments(args, options),
      {
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
        env: gitEnvironment(options),
        encoding: 'buffer',
      },
      (error, stdout, stderr) => {
        const message = stderr.toString('utf8');
        if (error)
          reject(new GitError(args, typeof error.code === 'number' ? error.code : null, message || error.message));
        else resolve({ stdout, stderr: message });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** As `gitBytes`, with the output as UTF-8 text. */
export async function git(args: readonly string[], options: GitOptions): Promise<{ stdout: string; stderr: string }> {
  const { stdout, stderr } = await gitBytes(args, options);
  return { stdout: stdout.toString('utf8'), stderr };
}
