import { createHash } from 'node:crypto';
import { findEntry, listDirectory, readBlob, resolveCommit, type TreeEntry } from './git-repository.js';
import { assertRepositoryFolder } from './repository-folder.js';
import { RepositoryRefusedError } from './repository-refused-error.js';
import { normaliseRelativePath } from './safe-path.js';

export const MAX_BROWSE_FILE_BYTES = 1024 * 1024;

interface BrowsableRepository {
  readonly path: string;
  readonly defaultBranch: string;
}

/** The entries of a directory at a revision (the default branch unless given), from git's objects. */
export async function browseDirectory(repository: BrowsableRepository, requestedPath: string, ref: string | undefined) {
  const relative = normaliseRelativePath(requestedPath, { allowRoot: true });
  assertRepositoryFolder(repository);
  const revision = ref ?? repository.defaultBranch;
  const commit = await resolveCommit(repository, revision);
  const entries = await listDirectory(repository, commit, relative);
  if (!entries) {
    throw new RepositoryRefusedError('not_found', `No directory ${relative} at ${revision}`);
  }
  return { path: relative, ref: revision, commit, entries };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text when the bytes are valid UTF-8 without NUL bytes, base64 otherwise. */
function encode(content: Buffer): { encoding: 'utf8' | 'base64'; content: string } {
  if (!content.includes(0)) {
    try {
      return { encoding: 'utf8', content: utf8.decode(content) };
    } catch {
      // not UTF-8: sent as base64 below
    }
  }
  return { encoding: 'base64', content: content.toString('base64') };
}

/** A committed file at a revision, with its size and SHA-256; larger than 1 MiB is refused with 413. */
export async function browseFile(repository: BrowsableRepository, requestedPath: string, ref: string | undefined) {
  const relative = normaliseRelativePath(requestedPath);
  assertRepositoryFolder(repository);
  const revision = ref ?? repository.defaultBranch;
  const commit = await resolveCommit(repository, revision);
  const entry: TreeEntry | undefined = await findEntry(repository, commit, relative);
  if (!entry) throw new RepositoryRefusedError('not_found', `No file ${relative} at ${revision}`);
  if (entry.type !== 'file') {
    throw new RepositoryRefusedError('not_found', `${relative} at ${revision} is a ${entry.type}, not a file`);
  }
  if ((entry.size ?? 0) > MAX_BROWSE_FILE_BYTES) {
    throw new RepositoryRefusedError(
      'file_too_large',
      `${relative} has ${entry.size} bytes; files over ${MAX_BROWSE_FILE_BYTES} bytes are not served`,
    );
  }
  const content = await readBlob(repository, entry.object);
  return {
    path: relative,
    ref: revision,
    commit,
    size: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    ...encode(content),
  };
}
