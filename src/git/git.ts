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

/**
 * Configuration that makes git run a program, overridden on every call. The repositories lvlup works on
 * are not its own: their `.git/config` (and files it includes) could otherwise have git run anything as
 * lvlup's user, e.g. a hook on every ref update or index write, an fsmonitor on every index read, an
 * upload-pack or ssh command on fetch, a credential helper or askpass on an https fetch, gpg on `log`.
 * Settings given here come after every configuration file, so they win. What cannot be overridden here
 * because the repository chooses the name (filter.<driver>.*, merge.<driver>.driver, diff.<driver>.*)
 * is kept out otherwise: diff-like commands get --no-ext-diff --no-textconv (below), and commands that
 * write work-tree files or merge run only in repositories with lvlup's own configuration (clones it
 * made, and isolated-checkout.ts).
 */
export const NEUTRALISING_SETTINGS: readonly string[] = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'core.sshCommand=ssh',
  'core.askPass=',
  'core.alternateRefsCommand=true',
  'core.pager=cat',
  'core.editor=:',
  'sequence.editor=:',
  'diff.external=',
  'credential.helper=',
  'protocol.ext.allow=never',
  'protocol.fd.allow=never',
  'log.showSignature=false',
  'commit.gpgSign=false',
  'tag.gpgSign=false',
  'push.gpgSign=false',
  'merge.verifySignatures=false',
  'gpg.program=false',
  'gpg.openpgp.program=false',
  'gpg.x509.program=false',
  'gpg.ssh.program=false',
  'gc.auto=0',
  'maintenance.auto=false',
  'submodule.recurse=false',
  'fetch.recurseSubmodules=false',
  'push.recurseSubmodules=no',
];

/**
 * Options added right after the subcommand: external diff and textconv drivers are named by the
 * repository's attributes (any name), so they are switched off by flag; the program that serves or
 * receives a pack on the other side of a local or ssh transport is named by remote.<any>.uploadpack and
 * remote.<any>.receivepack, which the command-line option overrides.
 */
const SUBCOMMAND_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  diff: ['--no-ext-diff', '--no-textconv'],
  'diff-tree': ['--no-ext-diff', '--no-textconv'],
  'diff-index': ['--no-ext-diff', '--no-textconv'],
  'diff-files': ['--no-ext-diff', '--no-textconv'],
  log: ['--no-ext-diff', '--no-textconv'],
  show: ['--no-ext-diff', '--no-textconv'],
  'format-patch': ['--no-ext-diff', '--no-textconv'],
  blame: ['--no-textconv'],
  grep: ['--no-textconv'],
  fetch: ['--upload-pack=git-upload-pack'],
  clone: ['--upload-pack=git-upload-pack'],
  'ls-remote': ['--upload-pack=git-upload-pack'],
  push: ['--receive-pack=git-receive-pack'],
};

function gitEnvironment(options: GitOptions): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/nonexistent',
    GIT_AUTHOR_NAME: 'lvlup',
    GIT_AUTHOR_EMAIL: 'lvlup@localhost',
    GIT_COMMITTER_NAME: 'lvlup',
    GIT_COMMITTER_EMAIL: 'lvlup@localhost',
    LC_ALL: 'C',
    ...options.environment,
    // Last, so that no caller's environment undoes them.
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    // Set but empty, these make git skip core.askPass and core.gitProxy from the configuration.
    GIT_ASKPASS: '',
    GIT_PROXY_COMMAND: '',
  };
}

/** Where the subcommand is: after git's own options (`-c name=value` and `-C folder` take a value). */
function subcommandIndex(args: readonly string[]): number {
  let index = 0;
  while (index < args.length && args[index]!.startsWith('-'))
    index += args[index] === '-c' || args[index] === '-C' ? 2 : 1;
  return index;
}

/**
 * `git remote` does not read core.hooksPath (git 2.39): the subcommands that write refs (remove, rename,
 * prune, set-head, update) run the repository's own .git/hooks/reference-transaction whatever `-c` says,
 * and `show` reaches the remote with remote.<name>.uploadpack. Only these are let through.
 */
const REMOTE_SUBCOMMANDS_WITHOUT_HOOKS = new Set([undefined, '-v', '--verbose', 'get-url', 'add']);

function fullArguments(args: readonly string[], options: GitOptions): string[] {
  const at = subcommandIndex(args);
  if (args[at] === 'remote' && !REMOTE_SUBCOMMANDS_WITHOUT_HOOKS.has(args[at + 1])) {
    throw new Error(`git remote ${args[at + 1]} would run the repository's hooks; change the refs another way`);
  }
  const extra = at < args.length ? (SUBCOMMAND_OPTIONS[args[at]!] ?? []) : [];
  return [
    ...[...(options.settings ?? []), ...NEUTRALISING_SETTINGS].flatMap((setting) => ['-c', setting]),
    ...args.slice(0, at + 1),
    ...extra,
    ...args.slice(at + 1),
  ];
}

/**
 * Runs the git CLI with an argument array (never a shell), no terminal prompts, no system or global
 * configuration, none of the repository's settings that run programs (NEUTRALISING_SETTINGS), and a
 * fixed identity for the commits it makes. Every git process lvlup starts goes through here. Output is
 * bytes (blob contents need not be text).
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
