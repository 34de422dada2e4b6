import { findInvisibleCharacter } from '../repositories/invisible-characters.js';
import { normaliseRelativePath, UnsafePathError } from '../repositories/safe-path.js';

/**
 * The path of a file a proposal changes, checked and normalised: the resolver's rules (not absolute, no
 * `..`, nothing in `.git`), and more, because a reviewer reads it — no invisible or bidirectional control
 * character (a path could otherwise read as another), and a file, not a directory (`src/`, `src/.`).
 */
export function proposalFilePath(requested: string): string {
  const invisible = findInvisibleCharacter(requested);
  if (invisible !== undefined) {
    throw new UnsafePathError(requested, `contains the invisible or direction-changing character ${invisible}`);
  }
  const normalised = normaliseRelativePath(requested);
  const last = requested.replaceAll('\\', '/').split('/').at(-1);
  if (last === '' || last === '.') throw new UnsafePathError(requested, 'names a directory, not a file');
  return normalised;
}
