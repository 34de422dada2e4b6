import type { Database } from '../db/database.js';
import type { EventBus } from '../events/bus.js';
import { git } from '../git/git.js';
import { requireOwnProject, type Actor } from '../projects/create-project.js';
import { ProjectNotFoundError } from '../projects/project-errors.js';
import { findProject } from '../projects/project-store.js';
import { headCommit, pinned, projectFolder } from '../projects/project-work-tree.js';
import { UnknownRevisionError } from '../repositories/git-repository.js';
import { DeploymentNotFoundError, DeploymentStateError } from './deployment-errors.js';
import { publishDeploymentEvent } from './deployment-events.js';
import {
  deleteDeploymentRow,
  findDeployment,
  findProjectDeployment,
  insertDeployment,
  lockDeployment,
  lockProjectDeployments,
  updateDeployment,
  type Deployment,
} from './deployment-store.js';

/** What requesting, changing and removing deployments needs. */
export interface DeploymentServices {
  readonly database: Database;
  readonly dataDirectory: string;
  readonly events: EventBus;
  readonly now: () => Date;
}

/** How a generated app is started and checked, unless a deployment says otherwise. */
export const DEFAULT_START_COMMAND = 'exec node dist/server.js';
export const DEFAULT_HEALTH_PATH = '/api/openapi.json';

/** Statuses in which a deployment that should run is on its way or there. */
const ACTIVE = new Set(['pending', 'building', 'testing', 'running']);

export interface DeploymentRequest {
  readonly projectId: string;
  /** a commit of the project's repository; the newest when not given */
  readonly commit?: string | undefined;
  readonly startCommand?: string | undefined;
  readonly healthPath?: string | undefined;
}

/** The slug of a project's deployment (its proxy address is /apps/{slug}/): its name, then 8 characters of its id. */
export function deploymentSlug(name: string, projectId: string): string {
  const words = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${words || 'app'}-${projectId.slice(0, 8)}`;
}

/** The full commit id of `revision` in the project's repository (UnknownRevisionError when there is none). */
async function resolveCommit(folder: string, revision: string | undefined): Promise<string> {
  if (revision === undefined) return headCommit(folder);
  try {
    const { stdout } = await git([...pinned(folder), 'rev-parse', '--verify', '--quiet', `${revision}^{commit}`], {
      cwd: folder,
    });
    return stdout.trim();
  } catch {
    throw new UnknownRevisionError(revision);
  }
}

async function announce(services: DeploymentServices, deployment: Deployment, type: `deployment.${string}`) {
  await publishDeploymentEvent(services.events, type, deployment.id, {
    project_id: deployment.projectId,
    status: deployment.status,
    desired: deployment.desired,
    generation: deployment.generation,
    commit: deployment.commit,
  });
}

/**
 * Deploys a commit of a project: creates the project's deployment, or points the existing one at the
 * commit, as a new request (its generation grows, so a waiter reads the outcome of this request and not of
 * an earlier one). The supervisor that owns it (or claims it) builds and starts it.
 */
export async function deployProject(services: DeploymentServices, request: DeploymentRequest, createdBy: string) {
  const project = await findProject(services.database.orm, request.projectId);
  if (!project) throw new ProjectNotFoundError(request.projectId);
  const folder = projectFolder(services.dataDirectory, project.id);
  const commit = await resolveCommit(folder, request.commit);
  const now = services.now();
  const deployment = await services.database.orm.transaction(async (transaction) => {
    // One deployment per project: concurrent requests for the same project take turns on this lock.
    await lockProjectDeployments(transaction, project.id);
    const existing = await findProjectDeployment(transaction, project.id);
    if (!existing) {
      return insertDeployment(transaction, {
        projectId: project.id,
        slug: deploymentSlug(project.name, project.id),
        commit,
        startCommand: request.startCommand ?? DEFAULT_START_COMMAND,
        healthPath: request.healthPath ?? DEFAULT_HEALTH_PATH,
        createdBy,
        createdAt: now,
        updatedAt: now,
      });
    }
    return (await updateDeployment(transaction, existing.id, {
      commit,
      status: 'pending',
      desired: 'running',
      generation: existing.generation + 1,
      failure: null,
      ...(request.startCommand !== undefined ? { startCommand: request.startCommand } : {}),
      ...(request.healthPath !== undefined ? { healthPath: request.healthPath } : {}),
      updatedAt: now,
    }))!;
  });
  await announce(services, deployment, 'deployment.requested');
  return deployment;
}

/** A new deployment of a project (409 when the project has one: start, restart or redeploy that one). */
export async function createDeployment(
  services: DeploymentServices,
  request: DeploymentRequest,
  actor: Actor,
): Promise<Deployment> {
  await requireOwnProject(services.database.orm, request.projectId, actor);
  const existing = await findProjectDeployment(services.database.orm, request.projectId);
  if (existing) {
    throw new DeploymentStateError(
      existing.status,
      `The project has a deployment already (${existing.id}); start, restart or delete that one.`,
    );
  }
  return deployProject(services, request, actor.id);
}

export async function requireDeployment(services: DeploymentServices, id: string): Promise<Deployment> {
  const deployment = await findDeployment(services.database.orm, id);
  if (!deployment) throw new DeploymentNotFoundError(id);
  return deployment;
}

/** Only the owner of the deployment's project (or an admin) runs, stops or deletes it. */
async function requireOwnDeployment(services: DeploymentServices, id: string, actor: Actor) {
  const deployment = await requireDeployment(services, id);
  await requireOwnProject(services.database.orm, deployment.projectId, actor);
  return deployment;
}

async function change(
  services: DeploymentServices,
  id: string,
  decide: (locked: Deployment) => Partial<Deployment>,
): Promise<Deployment> {
  const changed = await services.database.orm.transaction(async (transaction) => {
    const locked = await lockDeployment(transaction, id);
    if (!locked) throw new DeploymentNotFoundError(id);
    return (await updateDeployment(transaction, id, { ...decide(locked), updatedAt: services.now() }))!;
  });
  return changed;
}

/** Starts a stopped or failed deployment again (409 while it runs or is on its way). */
export async function startDeployment(services: DeploymentServices, id: string, actor: Actor) {
  await requireOwnDeployment(services, id, actor);
  const deployment = await change(services, id, (locked) => {
    if (locked.desired === 'running' && ACTIVE.has(locked.status)) {
      throw new DeploymentStateError(locked.status, `The deployment is ${locked.status} already.`);
    }
    return { desired: 'running', status: 'pending', generation: locked.generation + 1, failure: null };
  });
  await announce(services, deployment, 'deployment.requested');
  return deployment;
}

/** Stops and starts it again (the same build when its commit is unchanged). */
export async function restartDeployment(services: DeploymentServices, id: string, actor: Actor) {
  await requireOwnDeployment(services, id, actor);
  const deployment = await change(services, id, (locked) => ({
    desired: 'running',
    status: 'pending',
    generation: locked.generation + 1,
    failure: null,
  }));
  await announce(services, deployment, 'deployment.requested');
  return deployment;
}

/**
 * Asks for it to stop: its supervisor stops the app and marks it `stopped`. One that nobody supervises
 * (none claimed it yet, or it is over) is marked at once.
 */
export async function stopDeployment(services: DeploymentServices, id: string, actor: Actor) {
  await requireOwnDeployment(services, id, actor);
  const deployment = await change(services, id, (locked) => ({
    desired: 'stopped',
    generation: locked.generation + 1,
    ...(locked.ownerId === null || !ACTIVE.has(locked.status) ? { status: 'stopped' as const } : {}),
  }));
  await announce(services, deployment, 'deployment.stop_requested');
  return deployment;
}

/** Deletes it: the row goes (with its logs), and its supervisor, told by the event or its next heartbeat, stops the app. */
export async function deleteDeployment(services: DeploymentServices, id: string, actor: Actor) {
  await requireOwnDeployment(services, id, actor);
  const deleted = await deleteDeploymentRow(services.database.orm, id);
  if (!deleted) throw new DeploymentNotFoundError(id);
  await announce(services, deleted, 'deployment.deleted');
  return deleted;
}

/**
 * Deletes a project's deployment ahead of the project (whose deletion would cascade to the row anyway), so
 * that its supervisor hears of it at once.
 */
export async function deleteProjectDeployment(services: DeploymentServices, projectId: string) {
  const existing = await findProjectDeployment(services.database.orm, projectId);
  if (!existing) return undefined;
  const deleted = await deleteDeploymentRow(services.database.orm, existing.id);
  if (deleted) await announce(services, deleted, 'deployment.deleted');
  return deleted;
}
