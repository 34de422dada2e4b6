import { applyPatch, parsePatch, type StructuredPatch } from 'diff';
import type { Orm } from '../db/database.js';
import { effectivePolicy } from '../repositories/policy.js';
import { findRepository, type Repository } from '../repositories/repository-store.js';
import {
  findProposalByContentHash,
  insertProposalUnlessDuplicate,
  openProposalsOfRule,
  type ProposalTransition,
} from '../proposals/proposal-store.js';
import type { Compute } from '../compute/compute.js';
import { proposalFilePath } from '../proposals/proposal-path.js';
import { buildChanges, contentHash, rangesOverlap, type FileChangeInput } from '../analysis/changes.js';
import { repositoryChecks } from '../sandbox/checks.js';
import { enqueueProposalTest } from '../sandbox/enqueue-proposal-test.js';
import { transitionProposal, type Proposal } from '../proposals/transition-store.js';
import { scoreProposal } from '../learning/model-store.js';
import { activeSuppression } from '../learning/suppression-store.js';
import { RepositoryNotFoundError } from '../repositories/repository-not-found-error.js';
import { ProposalRefusedError } from '../proposals/proposal-refused-error.js';

/** Reads committed content of a repository; the git side effects live behind it. */
export interface RepositoryReader {
  resolveHead(repository: { path: string; defaultBranch: string }): Promise<string>;
  readFileAtRef(repository: { path: string }, ref: string, relativePath: string): Promise<string | undefined>;
  /** what is at, or in the way of, a new file at the path (src/repositories/git-repository.ts) */
  occupantOfPath(
    repository: { path: string },
    ref: string,
    relativePath: string,
  ): Promise<{ path: string; type: string } | undefined>;
}

export interface CreateProposalInput {
  readonly aiType: string;
  readonly repositoryId?: string | undefined;
  readonly description?: string | undefined;
  readonly rationale?: string | undefined;
  readonly ruleId?: string | undefined;
  readonly category?: string | undefined;
  readonly confidence?: number | undefined;
  /** either files with before/after content … */
  readonly files?: readonly FileChangeInput[] | undefined;
  /** … or a unified diff against the repository's HEAD */
  readonly patch?: string | undefined;
  readonly createdBy: string;
}

/** The most one version of a file (its content before, or after) may hold, in UTF-8 bytes. */
export const MAX_FILE_BYTES = 512 * 1024;
/** The most all versions of all files of one proposal may hold together. */
export const MAX_TOTAL_BYTES = 2 * 1024 * 1024;

function stripPrefix(name: string | undefined): string | undefined {
  if (!name || name === '/dev/null') return undefined;
  return name.replace(/^[ab]\//, '');
}

/** Git file modes a proposal cannot carry: it holds file contents only, and every file it writes is 100644. */
const UNSUPPORTED_MODES: Readonly<Record<string, string>> = {
  '120000': 'symbolic links (mode 120000)',
  '160000': 'submodules (mode 160000)',
  '100755': 'executable files (mode 100755)',
  '040000': 'directories (mode 040000)',
};

/**
 * Why one file of a parsed patch cannot become a proposal's change, or undefined when it can: lvlup
 * stores before/after text and writes regular files, so a link, a submodule, a mode change, a binary
 * change, a copy, a rename or a deletion would be applied as something else, or not at all.
 */
function unsupportedPatchFile(file: StructuredPatch, oldPath: string | undefined, newPath: string | undefined) {
  const name = newPath ?? oldPath ?? '?';
  for (const mode of [file.oldMode, file.newMode]) {
    if (mode !== undefined && mode !== '100644') {
      return `${name}: ${UNSUPPORTED_MODES[mode] ?? `files of mode ${mode}`} are not supported; a proposal changes regular files only.`;
    }
  }
  if (file.oldMode !== undefined && file.newMode !== undefined && file.oldMode !== file.newMode) {
    return `${name}: mode changes are not supported.`;
  }
  if (file.isBinary) return `${name}: binary changes are not supported.`;
  if (file.isCopy) return `Copying files (${oldPath} → ${newPath}) is not supported.`;
  if (!newPath || file.isDelete) return `Deleting files (${name}) is not supported.`;
  if ((oldPath && oldPath !== newPath) || file.isRename) {
    return `Renaming files (${oldPath} → ${newPath}) is not supported.`;
  }
  return undefined;
}

/**
 * Refuses a new file where the repository has something at its path, or something that is not a
 * directory along it (a file `a` for a new `a/b`): applying it would fail, or replace what is there.
 */
async function assertPathFree(reader: RepositoryReader, repository: { path: string }, head: string, path: string) {
  const occupant = await reader.occupantOfPath(repository, head, path);
  if (occupant === undefined) return;
  const what = occupant.type === 'file' ? 'a file' : `a ${occupant.type}`;
  const where =
    occupant.path === path ? `${path} is ${what}` : `${occupant.path} is ${what}, so ${path} cannot be created`;
  throw new ProposalRefusedError('stale', `${where} at HEAD (${head.slice(0, 12)}).`, {
    file_path: path,
    head,
    occupied_by: { path: occupant.path, type: occupant.type },
  });
}

async function filesFromPatch(
  reader: RepositoryReader,
  repository: { path: string },
  head: string,
  patch: string,
): Promise<FileChangeInput[]> {
  let parsed;
  try {
    parsed = parsePatch(patch);
  } catch (error) {
    throw new ProposalRefusedError('invalid_patch', `The patch cannot be parsed: ${(error as Error).message}`);
  }
  const named = parsed.map((file) => ({
    file,
    oldPath: stripPrefix(file.oldFileName),
    newPath: stripPrefix(file.newFileName),
  }));
  // Links, submodules, modes, binaries (which have no hunks) are named as such before "no hunks" is.
  for (const { file, oldPath, newPath } of named) {
    if (file.oldFileName === undefined && file.newFileName === undefined) continue;
    const unsupported = unsupportedPatchFile(file, oldPath, newPath);
    if (unsupported) {
      throw new ProposalRefusedError('unsupported_patch', unsupported, { file_path: newPath ?? oldPath ?? null });
    }
  }
  if (parsed.length === 0 || parsed.every((file) => file.hunks.length === 0)) {
    throw new ProposalRefusedError('invalid_patch', 'The patch contains no hunks.');
  }
  const files: FileChangeInput[] = [];
  for (const { file, oldPath, newPath } of named) {
    const filePath = newPath ?? oldPath;
    if (!filePath) throw new ProposalRefusedError('invalid_patch', 'A file in the patch has no name.');
    if (file.hunks.length === 0) {
      throw new ProposalRefusedError(
        'unsupported_patch',
        `${filePath}: a change without hunks (an empty file, a mode change) is not supported.`,
        { file_path: filePath },
      );
    }
    const safePath = proposalFilePath(filePath);
    if (!oldPath) await assertPathFree(reader, repository, head, safePath);
    const before = oldPath ? await reader.readFileAtRef(repository, head, safePath) : '';
    if (before === undefined) {
      throw new ProposalRefusedError('stale', `${safePath} does not exist at HEAD (${head.slice(0, 12)}).`, {
        file_path: safePath,
        head,
      });
    }
    const after = applyPatch(before, file);
    if (after === false) {
      throw new ProposalRefusedError(
        'stale',
        `The patch does not apply to ${safePath} at HEAD (${head.slice(0, 12)}).`,
        {
          file_path: safePath,
          head,
        },
      );
    }
    files.push({ file_path: safePath, code_before: before, code_after: after, created: !oldPath });
  }
  return files;
}

/**
 * Validates and stores a new proposal, refusing what should never reach a reviewer: unsafe paths,
 * no-ops, changes that no longer match the repository (stale), and exact duplicates of a live proposal.
 * Older open proposals of the same agent and rule on the same lines are superseded by the new one.
 * The diff and Guardian's check of the new code run on `compute` (the server's worker pool).
 */
export async function createProposal(
  orm: Orm,
  reader: RepositoryReader,
  input: CreateProposalInput,
  now: Date,
  compute: Pick<Compute, 'diff' | 'securityGate'>,
): Promise<{ proposal: Proposal; superseded: Proposal[]; history: ProposalTransition[] }> {
  let repository: Repository | undefined;
  if (input.repositoryId) {
    repository = await findRepository(orm, input.repositoryId);
    if (!repository) throw new RepositoryNotFoundError(input.repositoryId);
  }
  // Reviewers of this repository keep rejecting this rule (src/learning/suppression-store.ts): not proposed until lifted.
  const suppression =
    repository && input.ruleId ? await activeSuppression(orm, repository.id, input.ruleId) : undefined;
  if (suppression) {
    throw new ProposalRefusedError(
      'rule_suppressed',
      `Rule ${suppression.ruleId} is suppressed in this repository: ${suppression.verdicts} verdicts, ` +
        `${Math.round(suppression.acceptance * 100)}% accepted. Lift it with POST /learning/suppressions/lift.`,
      {
        repository_id: suppression.repositoryId,
        rule_id: suppression.ruleId,
        suppressed_at: suppression.suppressedAt.toISOString(),
      },
    );
  }

  let head: string | undefined;
  let files: FileChangeInput[];
  if (input.patch !== undefined) {
    if (!repository)
      throw new ProposalRefusedError('repository_required', 'A patch needs a repository_id to apply to.');
    head = await reader.resolveHead(repository);
    files = await filesFromPatch(reader, repository, head, input.patch);
  } else {
    files = (input.files ?? []).map((file) => ({ ...file, file_path: proposalFilePath(file.file_path) }));
    const paths = files.map((file) => file.file_path);
    const repeated = paths.find((path, index) => paths.indexOf(path) !== index);
    if (repeated) throw new ProposalRefusedError('duplicate_file', `${repeated} appears more than once.`);
    if (repository) {
      head = await reader.resolveHead(repository);
      for (const [index, file] of files.entries()) {
        const current = await reader.readFileAtRef(repository, head, file.file_path);
        if (current === undefined && file.code_before === '') {
          await assertPathFree(reader, repository, head, file.file_path);
          files[index] = { ...file, created: true };
        } else if (current !== file.code_before) {
          throw new ProposalRefusedError(
            'stale',
            `code_before of ${file.file_path} does not match the file at HEAD (${head.slice(0, 12)}).`,
            { file_path: file.file_path, head },
          );
        }
      }
    }
  }

  const limits = `each file at most ${MAX_FILE_BYTES / 1024} KiB before and after, ${MAX_TOTAL_BYTES / 1024 / 1024} MiB in all`;
  let total = 0;
  for (const file of files) {
    for (const [side, content] of [
      ['code_before', file.code_before],
      ['code_after', file.code_after],
    ] as const) {
      const bytes = Buffer.byteLength(content);
      total += bytes;
      if (bytes > MAX_FILE_BYTES) {
        throw new ProposalRefusedError(
          'proposal_too_large',
          `${side} of ${file.file_path} is ${bytes} bytes; a proposal may hold ${limits}.`,
          { file_path: file.file_path },
        );
      }
    }
  }
  if (total > MAX_TOTAL_BYTES) {
    throw new ProposalRefusedError(
      'proposal_too_large',
      `The proposal's files hold ${total} bytes; a proposal may hold ${limits}.`,
    );
  }

  const built = await compute.diff(files);
  if (built.changes.length === 0) {
    throw new ProposalRefusedError('no_op', 'The proposal changes nothing: code_after equals code_before.');
  }
  const hash = contentHash(repository?.id ?? null, built.changes);
  const ttl = repository ? effectivePolicy(repository.policy).proposal_ttl_seconds : null;
  // Guardian's check of the new code, stored with the row so the auto-apply gate can read it at once.
  const findings = await compute.securityGate(built.changes);
  // A repository with checks gets every proposal tested by Sandbox before a person sees it.
  const tested = repository && head ? (await repositoryChecks(repository, head)).commands.length > 0 : false;
  // The learned probability of acceptance, when a model exists (rescored after every model update).
  const acceptanceScore = await scoreProposal(orm, {
    aiType: input.aiType,
    repositoryId: repository?.id ?? null,
    ruleId: input.ruleId ?? null,
    category: input.category ?? null,
    confidence: input.confidence ?? null,
    filePath: built.changes[0]!.file_path,
    additions: built.additions,
    deletions: built.deletions,
    hunks: built.hunks,
    testResults: null,
    findings,
  });

  return orm.transaction(async (transaction) => {
    const inserted = await insertProposalUnlessDuplicate(transaction, {
      aiType: input.aiType,
      repositoryId: repository?.id ?? null,
      description: input.description ?? null,
      rationale: input.rationale ?? null,
      ruleId: input.ruleId ?? null,
      category: input.category ?? null,
      confidence: input.confidence ?? null,
      acceptanceScore,
      filePath: built.changes[0]!.file_path,
      changes: built.changes,
      diff: built.diff,
      hunks: built.hunks,
      findings,
      additions: built.additions,
      deletions: built.deletions,
      contentHash: hash,
      baseCommit: head ?? null,
      expiresAt: ttl ? new Date(now.getTime() + ttl * 1000) : null,
      createdBy: input.createdBy,
      createdAt: now,
      updatedAt: now,
    });
    if (!inserted) {
      // The unique index on content_hash refused it (see insertProposalUnlessDuplicate): name the live one.
      const existing = await findProposalByContentHash(transaction, hash);
      throw new ProposalRefusedError(
        'duplicate',
        `An identical proposal exists (${existing?.id}, ${existing?.status}).`,
        {
          existing_id: existing?.id,
          existing_status: existing?.status,
        },
      );
    }
    const created = inserted.proposal;
    if (tested) await enqueueProposalTest(transaction, created);

    const superseded: Proposal[] = [];
    if (repository && input.ruleId) {
      const candidates = await openProposalsOfRule(transaction, {
        repositoryId: repository.id,
        aiType: input.aiType,
        ruleId: input.ruleId,
      });
      for (const candidate of candidates) {
        if (candidate.id === created.id) continue;
        const theirs = buildChanges(candidate.changes).touchedLines;
        const overlaps = [...built.touchedLines].some(([path, ranges]) => {
          const other = theirs.get(path);
          return other !== undefined && rangesOverlap(ranges, other);
        });
        if (!overlaps) continue;
        superseded.push(
          await transitionProposal(transaction, candidate.id, {
            to: 'superseded',
            actor: input.createdBy,
            reason: 'superseded',
            note: `superseded by ${created.id}`,
            set: { supersededBy: created.id },
          }),
        );
      }
    }
    // Its history as committed, answered without reading it back: the creation is its only transition.
    return { proposal: created, superseded, history: [inserted.creation] };
  });
}
