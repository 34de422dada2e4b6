import { z } from 'zod';

/**
 * Whether `name` is a branch name git accepts (the rules of `git check-ref-format --branch`), and one that
 * cannot be mistaken for a command-line option.
 */
export function isValidBranchName(name: string): boolean {
  if (name === '' || name === '@' || name.length > 200) return false;
  if (name.startsWith('-') || name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) return false;
  // control characters, space, and the characters git reserves for revision syntax
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(name)) return false;
  if (name.includes('..') || name.includes('@{') || name.includes('//')) return false;
  return name.split('/').every((component) => !component.startsWith('.') && !component.endsWith('.lock'));
}

export const branchNameSchema = z.string().refine(isValidBranchName, { message: 'is not a valid branch name' });

/**
 * A revision a client may name to browse (a branch, tag, commit sha, `main~2`…): revision syntax, but
 * nothing that could be read as an option and no `..` ranges.
 */
export const revisionSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9_./@^~{}-]+$/, 'may only contain letters, digits and _ . / @ ^ ~ { } -')
  .refine((revision) => !revision.startsWith('-') && !revision.includes('..'), {
    message: 'must not start with "-" or contain ".."',
  });
