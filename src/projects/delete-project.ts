import { rm } from 'node:fs/promises';
import { deleteRepository } from '../repositories/repository-store.js';
import type { PipelineServices } from './pipeline-services.js';
import { requireOwnProject, type Actor } from './create-project.js';
import { ProjectStateError } from './project-errors.js';
import { deleteProject, lockProject, unfinishedStageTasks } from './project-store.js';
import { projectFolder } from './project-work-tree.js';

/**
 * Deletes a project with everything it made: its stages and artifacts (cascade), its repository row (and
 * the proposals to it), and its work tree. A running project is cancelled first (409 until then). Rows go
 * before files: a folder left by a crash is harmless, a row pointing at a half-deleted folder is not.
 */
export async function removeProject(services: PipelineServices, projectId: string, actor: Actor) {
  const project = await requireOwnProject(services.database.orm, projectId, actor);
  if (project.status === 'running') {
    throw new ProjectStateError(project.status, 'The project is running; cancel it before deleting it.');
  }
  const deleted = await services.database.orm.transaction(async (transaction) => {
    // Checked again under the lock: a start may have won the race, and a cancelled run's task may still be
    // writing to the work tree that is about to be removed.
    const locked = await lockProject(transaction, projectId);
    if (!locked) return undefined;
    if (locked.status === 'running') {
      throw new ProjectStateError(locked.status, 'The project is running; cancel it before deleting it.');
    }
    const busy = await unfinishedStageTasks(transaction, projectId);
    if (busy.length > 0) {
      throw new ProjectStateError(locked.status, `A task of the last run (${busy.join(', ')}) has not ended yet.`);
    }
    const row = await deleteProject(transaction, projectId);
    if (row?.repositoryId) await deleteRepository(transaction, row.repositoryId);
    return row;
  });
  await rm(projectFolder(services.dataDirectory, projectId), { recursive: true, force: true });
  return deleted;
}
