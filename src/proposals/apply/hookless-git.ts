import { git, type GitOptions } from '../../git/git.js';

/**
 * Settings for every git call that writes while applying a proposal. The repository's own configuration
 * still applies (git.ts only isolates the global and system files), so a repository could otherwise run
 * hooks on `worktree add` and `commit`, start an fsmonitor daemon, demand a signing key, or leave a
 * background `gc` running after the call returns.
 */
const hooklessSettings = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'commit.gpgSign=false',
  'gc.auto=0',
  'maintenance.auto=false',
];

export function hooklessGit(args: readonly string[], options: GitOptions): Promise<{ stdout: string; stderr: string }> {
  return git(args, { ...options, settings: [...hooklessSettings, ...(options.settings ?? [])] });
}
