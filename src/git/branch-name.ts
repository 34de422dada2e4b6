import { git, GitError } from './git.js';

/**
 * Whether git itself accepts `name` as a branch name as written (`git check-ref-format --branch`, which
 * would also expand shorthands such as `@{-1}`: those are refused by comparing the output to the input).
 * Request schemas use the stricter, synchronous check in src/repositories/branch-name.ts; this one guards
 * the places that hand a name to git.
 */
export async function gitAcceptsBranchName(repositoryPath: string, name: string): Promise<boolean> {
  if (name === '' || name.startsWith('-')) return false;
  try {
    const { stdout } = await git(['check-ref-format', '--branch', name], { cwd: repositoryPath });
    return stdout.trim() === name;
  } catch (error) {
    if (error instanceof GitError) return false;
    throw error;
  }
}
