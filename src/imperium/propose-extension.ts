import { languageOfPath, type Language } from '../analysis/languages.js';
import type { Compute } from '../compute/compute.js';
import type { Orm } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import { LlmNotConfiguredError } from '../llm/language-model-errors.js';
import type { LanguageModelService } from '../llm/language-model-service.js';
import type { ProposalFinding } from '../analysis/security-gate.js';
import { createProposal, type RepositoryReader } from '../inbox/create-proposal.js';
import { publishProposalEvent } from '../proposals/proposal-events.js';
import { proposalHistory } from '../proposals/proposal-store.js';
import type { Proposal } from '../proposals/transition-store.js';
import type { TreeEntry } from '../repositories/git-repository.js';
import { findRepository, type Repository } from '../repositories/repository-store.js';
import { normaliseRelativePath, UnsafePathError } from '../repositories/safe-path.js';
import { generateExtension, pathsAtCommit, type ExtensionRequest, type GeneratedFile } from './create-extension.js';
import { ExtensionRefusedError } from './extension-refused-error.js';

export interface ProposeExtensionDependencies {
  readonly orm: Orm;
  readonly reader: RepositoryReader & {
    findEntry(repository: { path: string }, commit: string, path: string): Promise<TreeEntry | undefined>;
  };
  readonly llm: LanguageModelService;
  readonly compute: Pick<Compute, 'diff' | 'securityGate'>;
  readonly events: EventBus;
  readonly now: () => Date;
  readonly log: { error(details: object, message: string): void };
}

export interface ExtensionOrder {
  readonly description: string;
  readonly repositoryId?: string | undefined;
  readonly filePath?: string | undefined;
  readonly language?: Language | undefined;
  readonly createdBy: string;
}

/** Without a repository, the generated files and their findings; with one, the proposal that adds them. */
export type ExtensionOutcome =
  | {
      readonly kind: 'preview';
      readonly files: GeneratedFile[];
      readonly explanation: string;
      readonly findings: ProposalFinding[];
    }
  | {
      readonly kind: 'proposal';
      readonly proposal: Proposal;
      readonly history: Awaited<ReturnType<typeof proposalHistory>>;
    };

/**
 * Imperium's new module and its tests, written by the language model and checked as untrusted
 * (src/imperium/create-extension.ts). With a repository the files must be new at HEAD, and the outcome is a
 * proposal (`ai_type` imperium, `category` extension), announced; without one nothing is stored. Refusals
 * are ExtensionRefusedError, ExtensionOutputError (the model's answer), LlmNotConfiguredError and the
 * refusals of proposal creation.
 */
export async function proposeExtension(
  dependencies: ProposeExtensionDependencies,
  order: ExtensionOrder,
): Promise<ExtensionOutcome> {
  const { orm, reader, llm, compute, events, now, log } = dependencies;
  const filePath = order.filePath === undefined ? undefined : checkedFilePath(order.filePath, order.language);
  if (!llm.isConfigured()) {
    throw new LlmNotConfiguredError(
      'create-extension writes code with a language model, and no provider is configured: set OPENAI_API_KEY, ' +
        'ANTHROPIC_API_KEY, OLLAMA_BASE_URL or LLM_OPENAI_COMPATIBLE_BASE_URL.',
    );
  }
  const generation: ExtensionRequest = { description: order.description, filePath, language: order.language };
  let repository: Repository | undefined;
  if (order.repositoryId) {
    repository = await findRepository(orm, order.repositoryId);
    if (!repository) {
      throw new ExtensionRefusedError('repository_not_found', `No repository ${order.repositoryId}`);
    }
    Object.assign(generation, await repositoryContext(reader, repository, filePath));
  }
  const generated = await generateExtension(llm, generation);
  const files = generated.files.map((file) => ({
    file_path: file.file_path,
    code_before: '',
    code_after: file.content,
  }));
  if (!repository) {
    const findings = await compute.securityGate(files);
    return { kind: 'preview', files: generated.files, explanation: generated.explanation, findings };
  }
  const { proposal, superseded } = await createProposal(
    orm,
    reader,
    {
      aiType: 'imperium',
      repositoryId: repository.id,
      description: order.description,
      rationale: generated.explanation,
      ruleId: 'llm.extension',
      category: 'extension',
      confidence: 0.5,
      files,
      createdBy: order.createdBy,
    },
    now(),
    compute,
  );
  await publishProposalEvent(events, 'created', proposal, log);
  for (const older of superseded) await publishProposalEvent(events, 'superseded', older, log);
  return { kind: 'proposal', proposal, history: await proposalHistory(orm, proposal.id) };
}

/** The requested path of the main module, normalised: safe, of a language Imperium writes, and matching `language`. */
function checkedFilePath(requested: string, requestedLanguage: Language | undefined): string {
  let filePath: string;
  try {
    filePath = normaliseRelativePath(requested);
  } catch (error) {
    if (!(error instanceof UnsafePathError)) throw error;
    throw new ExtensionRefusedError('unsafe_path', error.message, { name: 'file_path', message: error.reason });
  }
  const language = languageOfPath(filePath);
  if (!language) {
    throw new ExtensionRefusedError(
      'unsupported_language',
      `Imperium generates JavaScript, TypeScript or Python; ${filePath} is none of them.`,
      { name: 'file_path', message: 'must end in .js, .jsx, .mjs, .cjs, .ts, .tsx, .mts, .cts or .py' },
    );
  }
  if (requestedLanguage && requestedLanguage !== language) {
    throw new ExtensionRefusedError(
      'validation_failed',
      `language ${requestedLanguage} does not match file_path ${filePath} (${language}).`,
      { name: 'language', message: `does not match file_path, which is ${language}` },
    );
  }
  return filePath;
}

/** What the model is told of the repository at HEAD (its paths and manifest), and how to tell a path is taken. */
async function repositoryContext(
  reader: ProposeExtensionDependencies['reader'],
  repository: Repository,
  filePath: string | undefined,
): Promise<Pick<ExtensionRequest, 'existingPaths' | 'manifest' | 'exists'>> {
  const head = await reader.resolveHead(repository);
  const exists = async (path: string) => {
    try {
      return (await reader.findEntry(repository, head, path)) !== undefined;
    } catch (error) {
      // A path through a symbolic link is not a new file either.
      if (error instanceof UnsafePathError) return true;
      throw error;
    }
  };
  if (filePath && (await exists(filePath))) {
    throw new ExtensionRefusedError(
      'file_exists',
      `${filePath} exists in the repository at HEAD (${head.slice(0, 12)}).`,
      { name: 'file_path', message: 'exists at HEAD; create-extension only adds new files' },
    );
  }
  const listing = await pathsAtCommit(repository, head);
  let manifest: ExtensionRequest['manifest'];
  for (const candidate of ['package.json', 'pyproject.toml']) {
    if (!listing.paths.includes(candidate)) continue;
    const content = await reader.readFileAtRef(repository, head, candidate).catch(() => undefined);
    if (content !== undefined) manifest = { path: candidate, content };
    break;
  }
  return { existingPaths: listing.paths, manifest, exists };
}
