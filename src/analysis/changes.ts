import { createHash } from 'node:crypto';
import { createTwoFilesPatch, structuredPatch } from 'diff';

/** One file of a proposal as stored: both texts and their hashes. */
export interface ProposalFileChange {
  file_path: string;
  code_before: string;
  code_after: string;
  before_sha256: string;
  after_sha256: string;
}

export interface FileChangeInput {
  readonly file_path: string;
  readonly code_before: string;
  readonly code_after: string;
  /** the file does not exist before the change (repository proposals only) */
  readonly created?: boolean;
}

export interface BuiltChanges {
  readonly changes: ProposalFileChange[];
  /** one unified diff for all files, with a/ and b/ prefixes, as `git apply` takes it */
  readonly diff: string;
  readonly hunks: number;
  readonly additions: number;
  readonly deletions: number;
  /** lines each file's change touches in the old version, for supersession */
  readonly touchedLines: ReadonlyMap<string, readonly [number, number][]>;
}

export const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/**
 * Turns before/after file contents into the stored form: per-file hashes, a minimal unified diff (three
 * lines of context) and its size. Files whose content does not change are dropped; the caller decides
 * what an empty result means.
 */
export function buildChanges(inputs: readonly FileChangeInput[]): BuiltChanges {
  const changes: ProposalFileChange[] = [];
  const diffs: string[] = [];
  const touchedLines = new Map<string, [number, number][]>();
  let hunks = 0;
  let additions = 0;
  let deletions = 0;
  for (const input of inputs) {
    if (input.code_before === input.code_after && !input.created) continue;
    const oldName = input.created ? '/dev/null' : `a/${input.file_path}`;
    const patch = structuredPatch(oldName, `b/${input.file_path}`, input.code_before, input.code_after, '', '', {
      context: 3,
    });
    hunks += patch.hunks.length;
    for (const hunk of patch.hunks) {
      for (const line of hunk.lines) {
        if (line.startsWith('+')) additions += 1;
        else if (line.startsWith('-')) deletions += 1;
      }
    }
    touchedLines.set(
      input.file_path,
      patch.hunks.map((hunk) => [hunk.oldStart, hunk.oldStart + Math.max(hunk.oldLines, 1) - 1]),
    );
    const text = createTwoFilesPatch(oldName, `b/${input.file_path}`, input.code_before, input.code_after, '', '', {
      context: 3,
    })
      // jsdiff starts with an "Index:"-less "===" separator line; git apply wants headers only.
      .split('\n')
      .filter((line) => !/^={10,}$/.test(line))
      .join('\n');
    diffs.push(text.endsWith('\n') ? text : `${text}\n`);
    changes.push({
      file_path: input.file_path,
      code_before: input.code_before,
      code_after: input.code_after,
      before_sha256: sha256(input.code_before),
      after_sha256: sha256(input.code_after),
    });
  }
  return { changes, diff: diffs.join(''), hunks, additions, deletions, touchedLines };
}

/**
 * What makes two proposals "the same change": the repository and, per file, the path and the content
 * before and after. Who proposed it, and why, do not matter.
 */
export function contentHash(repositoryId: string | null, changes: readonly ProposalFileChange[]): string {
  const files = [...changes]
    .sort((left, right) => left.file_path.localeCompare(right.file_path))
    .map((change) => [change.file_path, change.before_sha256, change.after_sha256]);
  return sha256(JSON.stringify([repositoryId ?? '', files]));
}

export function rangesOverlap(
  left: readonly (readonly [number, number])[],
  right: readonly (readonly [number, number])[],
): boolean {
  return left.some(([leftStart, leftEnd]) =>
    right.some(([rightStart, rightEnd]) => leftStart <= rightEnd && rightStart <= leftEnd),
  );
}
