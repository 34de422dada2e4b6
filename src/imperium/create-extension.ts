import { z } from 'zod';
import { git } from '../git/git.js';
import type { LanguageModelService } from '../llm/language-model-service.js';
import { repositoryGitOptions } from '../repositories/git-repository.js';
import { normaliseRelativePath, UnsafePathError } from '../repositories/safe-path.js';
import { languageOfPath, type Language } from '../analysis/languages.js';
import { parsesCleanly } from '../analysis/guardian/parser.js';

/** The most files one extension may consist of, and the longest of them (characters). */
export const MAX_EXTENSION_FILES = 10;
export const MAX_EXTENSION_FILE_CHARS = 256 * 1024;
/** Repository paths listed in the prompt (so the model neither overwrites nor ignores the layout). */
const LISTED_PATHS = 300;
const MANIFEST_CHARS = 4000;

const answerSchema = z.object({
  files: z
    .array(
      z.object({
        file_path: z.string().min(1).max(500).describe('repository-relative path of a file that does not exist yet'),
        content: z.string().min(1).max(MAX_EXTENSION_FILE_CHARS).describe('the complete content of the file'),
      }),
    )
    .min(1)
    .max(MAX_EXTENSION_FILES)
    .describe('the new module and its tests'),
  explanation: z.string().min(1).max(20_000).describe('what the module does and how its tests check it'),
});

const SYSTEM = [
  'You write a new module and its tests for an existing code base.',
  'Answer only new files, never one that exists, as complete source files in JavaScript, TypeScript or Python',
  '(the extension decides: .js .mjs .cjs .jsx .ts .mts .cts .tsx .py); include at least one test file that',
  "follows the project's conventions (node:test or the project's runner for JavaScript and TypeScript, pytest",
  'or unittest for Python). Write small, readable, dependency-free code; no secrets, no network or shell',
  'access unless the description asks for it. In `explanation`, say what the module does and how its tests',
  'check it.',
].join(' ');

export interface ExtensionRequest {
  readonly description: string;
  /** where the main module goes (already normalised), when the caller said */
  readonly filePath?: string | undefined;
  readonly language?: Language | undefined;
  /** the repository's files at HEAD, for the prompt */
  readonly existingPaths?: readonly string[] | undefined;
  /** package.json or pyproject.toml at HEAD, for the test conventions */
  readonly manifest?: { readonly path: string; readonly content: string } | undefined;
  /** whether a path exists at HEAD (a repository was given) */
  readonly exists?: ((path: string) => Promise<boolean>) | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface GeneratedFile {
  readonly file_path: string;
  readonly language: Language;
  readonly content: string;
}

/** The model answered files that cannot be proposed: every reason, by field of its answer. */
export class ExtensionOutputError extends Error {
  readonly code = 'llm_invalid_output';
  constructor(readonly problems: readonly { field: string; message: string }[]) {
    super(
      `The model's extension cannot be used: ${problems.map((problem) => `${problem.field} ${problem.message}`).join('; ')}`,
    );
    this.name = 'ExtensionOutputError';
  }
}

/** Every path at the commit (`git ls-tree -r`), at most `limit`. */
export async function pathsAtCommit(repository: { path: string }, commit: string, limit = LISTED_PATHS) {
  const { stdout } = await git(
    ['ls-tree', '-r', '-z', '--name-only', '--end-of-options', commit],
    repositoryGitOptions(repository.path),
  );
  const paths = stdout.split('\0').filter(Boolean);
  return { paths: paths.slice(0, limit), total: paths.length };
}

/**
 * Asks the model for a new module and its tests, then checks what it answered as untrusted input: every
 * path must be safe, new (not at HEAD), unique and of a language lvlup parses, and every file must parse
 * (tree-sitter). Throws ExtensionOutputError with every problem found; the LLM layer's own errors
 * (not configured, budget, provider) pass through.
 */
export async function generateExtension(
  service: LanguageModelService,
  request: ExtensionRequest,
): Promise<{ files: GeneratedFile[]; explanation: string }> {
  const listed = request.existingPaths ?? [];
  const result = await service.generateObject({
    agentType: 'imperium',
    purpose: 'imperium.create-extension',
    system: SYSTEM,
    prompt: [
      'What to build:',
      request.description,
      request.filePath ? `Put the main module at ${request.filePath}.` : '',
      request.language ? `Write it in ${request.language}.` : '',
      listed.length ? `Files in the repository (do not answer any of them):\n${listed.join('\n')}` : '',
      request.manifest
        ? `${request.manifest.path}:\n\`\`\`\n${request.manifest.content.slice(0, MANIFEST_CHARS)}\n\`\`\``
        : '',
    ]
      .filter(Boolean)
      .join('\n\n'),
    schema: answerSchema,
    schemaName: 'imperium_extension',
    ...(request.signal ? { signal: request.signal } : {}),
  });
  const problems: { field: string; message: string }[] = [];
  const files: GeneratedFile[] = [];
  const seen = new Set<string>();
  for (const [index, file] of result.object.files.entries()) {
    const field = `files.${index}.file_path`;
    let path: string;
    try {
      path = normaliseRelativePath(file.file_path);
    } catch (error) {
      if (!(error instanceof UnsafePathError)) throw error;
      problems.push({ field, message: `${JSON.stringify(file.file_path)} ${error.reason}` });
      continue;
    }
    const language = languageOfPath(path);
    if (!language) {
      problems.push({ field, message: `${path} is not JavaScript, TypeScript or Python` });
      continue;
    }
    if (seen.has(path)) {
      problems.push({ field, message: `${path} appears more than once` });
      continue;
    }
    seen.add(path);
    if (request.exists && (await request.exists(path))) {
      problems.push({ field, message: `${path} exists in the repository; only new files are created` });
      continue;
    }
    if (!(await parsesCleanly(file.content, language))) {
      problems.push({ field: `files.${index}.content`, message: `${path} does not parse as ${language}` });
      continue;
    }
    files.push({ file_path: path, language, content: file.content });
  }
  if (request.filePath && !seen.has(request.filePath)) {
    problems.push({ field: 'files', message: `has no file at ${request.filePath}, where the module was asked for` });
  }
  if (problems.length > 0) throw new ExtensionOutputError(problems);
  return { files, explanation: result.object.explanation };
}
