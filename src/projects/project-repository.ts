import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_REPOSITORY_POLICY } from '../repositories/policy.js';
import { insertRepository } from '../repositories/repository-store.js';
import type { PipelineServices } from './pipeline-services.js';
import { findProject, updateProject, type Project } from './project-store.js';
import { initialiseWorkTree, projectFolder } from './project-work-tree.js';

/**
 * The repository row and git work tree of a project, made on its first start. The row makes the app a
 * repository like any other: Guardian scans it, Imperium improves it, proposals to it go through the inbox.
 */
export async function ensureProjectRepository(services: PipelineServices, project: Project): Promise<string> {
  if (project.repositoryId) return project.repositoryId;
  const folder = projectFolder(services.dataDirectory, project.id);
  if (!existsSync(path.join(folder, '.git'))) await initialiseWorkTree(folder, project.name);
  const outcome = await insertRepository(services.database, {
    name: project.name,
    source: 'project',
    path: folder,
    defaultBranch: 'main',
    policy: DEFAULT_REPOSITORY_POLICY,
    createdBy: project.ownerId,
  });
  const repository = 'created' in outcome ? outcome.created : outcome.existing;
  await updateProject(services.database.orm, project.id, { repositoryId: repository.id });
  return (await findProject(services.database.orm, project.id))?.repositoryId ?? repository.id;
}
