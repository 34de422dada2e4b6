import path from 'node:path';
import { z } from 'zod';
import { git } from '../git/git.js';
import { repositoryGitOptions, resolveHead } from './git-repository.js';
import { findRepository, listAllRepositories, type Repository } from './repository-store.js';
import { TaskFailure } from '../tasks/task-errors.js';
import type { TaskContext } from '../tasks/agent-definition.js';

export const repositoryInput = z
  .object({
    repository_id: z.uuid().optional().describe('one repository; every registered repository when left out'),
    cycle_id: z.uuid().optional().describe('the learning cycle (its Imperium task) this run is a step of'),
  })
  .strict();

export type RepositoryInput = z.infer<typeof repositoryInput>;

const LANGUAGE_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'typescript',
  '.py': 'python',
  '.go': 'go',
  '.rs': 'rust',
  '.java': 'java',
  '.rb': 'ruby',
  '.php': 'php',
  '.json': 'json',
  '.md': 'markdown',
  '.yml': 'yaml',
  '.yaml': 'yaml',
};

const languageOf = (filePath: string) => LANGUAGE_BY_EXTENSION[path.extname(filePath).toLowerCase()];

/** The repository a task's input names, or every registered one (oldest first) when it names none. */
export async function targetRepositories(context: TaskContext<RepositoryInput>): Promise<Repository[]> {
  const id = context.input.repository_id;
  if (!id) return listAllRepositories(context.database.orm);
  const repository = await findRepository(context.database.orm, id);
  if (!repository) throw new TaskFailure('repository_not_found', `No repository ${id}.`, false);
  return [repository];
}

/**
 * The honest part of an agent that does not analyse yet: it lists the files at the tip of each
 * repository's default branch and counts those in the languages the agent will analyse. Nothing is
 * scored or invented; the result says what was counted and that analysis is still to come.
 */
export async function inventoryRepositories(
  context: TaskContext<RepositoryInput>,
  scope: { languages: readonly string[]; pendingAnalysis: string },
): Promise<Record<string, unknown>> {
  const found = await targetRepositories(context);
  const results = [];
  for (const [index, repository] of found.entries()) {
    context.signal.throwIfAborted();
    const head = await resolveHead(repository).catch(() => undefined);
    if (!head) {
      await context.log('warn', `${repository.name}: no commit on ${repository.defaultBranch}, skipped`);
      results.push({ repository_id: repository.id, name: repository.name, head_commit: null, files_total: 0 });
      continue;
    }
    const { stdout } = await git(
      ['ls-tree', '-r', '-z', '--name-only', head],
      repositoryGitOptions(repository.path, { timeoutMs: 60_000 }),
    );
    const files = stdout.split('\0').filter(Boolean);
    const byLanguage: Record<string, number> = {};
    for (const file of files) {
      const language = languageOf(file);
      if (language && scope.languages.includes(language)) byLanguage[language] = (byLanguage[language] ?? 0) + 1;
    }
    const considered = Object.values(byLanguage).reduce((sum, count) => sum + count, 0);
    await context.log(
      'info',
      `${repository.name}@${head.slice(0, 12)}: ${considered} of ${files.length} files in scope`,
    );
    results.push({
      repository_id: repository.id,
      name: repository.name,
      head_commit: head,
      files_total: files.length,
      files_in_scope: considered,
      by_language: byLanguage,
    });
    await context.progress(((index + 1) / found.length) * 100);
  }
  return {
    kind: 'inventory',
    languages: scope.languages,
    analysis: scope.pendingAnalysis,
    repositories: results,
  };
}
