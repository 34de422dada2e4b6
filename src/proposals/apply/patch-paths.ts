import { normaliseRelativePath, UnsafePathError } from '../../repositories/safe-path.js';
import { git, GitError } from '../../git/git.js';

/**
 * Every path a unified diff touches (both sides of a rename), as git itself parses the patch
 * (`git apply --numstat -z`, with the default -p1). Nothing is applied.
 */
export async function listPatchPaths(cwd: string, patch: string): Promise<string[]> {
  const { stdout } = await git(['apply', '--numstat', '-z'], { cwd, input: patch });
  const fields = stdout.split('\0');
  const paths: string[] = [];
  for (let index = 0; index < fields.length; index += 1) {
    const field = fields[index]!;
    if (field === '') continue;
    const [, , path] = field.split('\t');
    if (path === undefined) continue;
    if (path !== '') {
      paths.push(path);
    } else {
      // A rename or copy: the two names follow as separate NUL-terminated fields.
      paths.push(fields[index + 1] ?? '', fields[index + 2] ?? '');
      index += 2;
    }
  }
  return paths;
}

/**
 * The reason a patch may not be applied, or undefined when every path it touches is an ordinary path
 * inside the work tree (not absolute, no `..`, nothing in `.git`). git apply refuses most of these too;
 * checking first gives the caller a clear reason instead of a failed apply.
 */
export async function findUnsafePatchPath(cwd: string, patch: string): Promise<string | undefined> {
  let paths: string[];
  try {
    paths = await listPatchPaths(cwd, patch);
  } catch (error) {
    if (error instanceof GitError) return `the patch cannot be read: ${error.stderr.trim().split('\n')[0] ?? ''}`;
    throw error;
  }
  if (paths.length === 0) return 'the patch contains no file changes';
  for (const path of paths) {
    try {
      normaliseRelativePath(path);
    } catch (error) {
      if (error instanceof UnsafePathError) return error.message;
      throw error;
    }
  }
  return undefined;
}

const applyErrorPattern =
  /^error: (?:patch failed: (.+):\d+|(.+): (?:patch does not apply|does not exist in index|already exists in (?:index|working directory)|does not match index|No such file or directory))$/;

/** The files named in `git apply`'s error output. */
export function filesNamedInApplyErrors(stderr: string): string[] {
  const files = new Set<string>();
  for (const line of stderr.split('\n')) {
    const match = applyErrorPattern.exec(line.trim());
    const file = match?.[1] ?? match?.[2];
    if (file !== undefined) files.add(file);
  }
  return [...files];
}
