import { z } from 'zod';
import { findInvisibleCharacter } from './invisible-characters.js';

/**
 * Whether `name` is a branch name git accepts — exactly the rules of `git check-ref-format --branch`
 * (test/branch-name.test.ts compares the two on many names) — and, stricter than git, not `@` (git's
 * shorthand for HEAD), at most 200 characters and free of invisible or direction-changing characters.
 */
export function isValidBranchName(name: string): boolean {
  if (name === '' || name === '@' || name.length > 200) return false;
  // `--branch` refuses what would read as an option, and HEAD (refs/heads/HEAD would shadow HEAD itself)
  if (name.startsWith('-') || name === 'HEAD') return false;
  if (name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) return false;
  // control characters and space
  if ([...name].some((character) => character <= ' ' || character === '\u007f')) return false;
  if (findInvisibleCharacter(name) !== undefined) return false;
  // characters git reserves for revision syntax
  if (/[~^:?*[\\]/.test(name)) return false;
  if (name.includes('..') || name.includes('@{') || name.includes('//')) return false;
  return name.split('/').every((component) => !component.startsWith('.') && !component.endsWith('.lock'));
}

export const branchNameSchema = z.string().refine(isValidBranchName, { message: 'is not a valid branch name' });

/**
 * A revision a client may name to browse (a branch, tag, commit sha, `main~2`…): revision syntax, but
 * nothing that could be read as an option, no `..` ranges and no
 * `@{…}` reflog or upstream lookups.
 */
export const revisionSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9_./@^~{}-]+$/, 'may only contain letters, digits and _ . / @ ^ ~ { } -')
  .refine((revision) => !revision.startsWith('-') && !revision.includes('..') && !revision.includes('@{'), {
    message: 'must not start with "-" or contain ".." or "@{"',
  });
