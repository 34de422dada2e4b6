import { requestCancel } from '../tasks/task-store.js';
import { enqueueStage } from './enqueue-stage.js';
import type { PipelineServices } from './pipeline-services.js';
import { ProjectNotFoundError, ProjectStateError } from './project-errors.js';
import { publishProjectEvent } from './project-events.js';
import { ensureProjectRepository } from './project-repository.js';
import {
  endOpenStages,
  findProject,
  listStages,
  lockProject,
  resetStages,
  unfinishedStageTasks,
  updateProject,
} from './project-store.js';
import { STAGE_NAMES, stagePosition, type StageName } from './stages.js';

// Starting, cancelling and retrying a run. Each is one transaction on the locked project row, so two
// requests (or a request and a stage that is ending) never both decide what the project does next.

/** Starts a run from the first stage. A running project is 409. */
export async function startProject(services: PipelineServices, projectId: string, startedBy: string) {
  return runFrom(services, projectId, STAGE_NAMES[0], startedBy, ['draft', 'succeeded', 'failed', 'cancelled']);
}

/**
 * Runs again from `fromStage`, or from the stage that failed (or was cancelled). The stages before it keep
 * their commits and artifacts; the work tree is reset to the commit of the one just before.
 */
export async function retryProject(
  services: PipelineServices,
  projectId: string,
  fromStage: StageName | undefined,
  startedBy: string,
) {
  const project = await findProject(services.database.orm, projectId);
  if (!project) throw new ProjectNotFoundError(projectId);
  const stages = await listStages(services.database.orm, projectId);
  const from =
    fromStage ??
    stages.find((stage) => stage.status === 'failed' || stage.status === 'cancelled')?.stage ??
    stages.find((stage) => stage.status !== 'succeeded' && stage.status !== 'skipped')?.stage;
  if (from === 'recovery') {
    throw new ProjectStateError(
      project.status,
      'Recovery runs only when a stage fails; retry from the stage to run again.',
    );
  }
  if (!from) {
    throw new ProjectStateError(project.status, 'Every stage succeeded; name a `from_stage` to run again from it.');
  }
  const unfinished = stages.find(
    (stage) =>
      stage.position < stagePosition(from as StageName) && stage.status !== 'succeeded' && stage.status !== 'skipped',
  );
  if (unfinished) {
    throw new ProjectStateError(
      project.status,
      `The ${unfinished.stage} stage before ${from} has not succeeded (it is ${unfinished.status}); retry from it.`,
    );
  }
  return runFrom(services, projectId, from as StageName, startedBy, ['succeeded', 'failed', 'cancelled']);
}

async function runFrom(
  services: PipelineServices,
  projectId: string,
  from: StageName,
  startedBy: string,
  allowed: readonly string[],
) {
  const existing = await findProject(services.database.orm, projectId);
  if (!existing) throw new ProjectNotFoundError(projectId);
  if (!allowed.includes(existing.status)) {
    throw new ProjectStateError(existing.status, `The project is ${existing.status}; it cannot be started now.`);
  }
  await ensureProjectRepository(services, existing);
  const now = services.now();
  const { project, submitted } = await services.database.orm.transaction(async (transaction) => {
    const locked = await lockProject(transaction, projectId);
    if (!locked) throw new ProjectNotFoundError(projectId);
    if (!allowed.includes(locked.status)) {
      throw new ProjectStateError(locked.status, `The project is ${locked.status}; it cannot be started now.`);
    }
    const busy = await unfinishedStageTasks(transaction, projectId);
    if (busy.length > 0) {
      throw new ProjectStateError(
        locked.status,
        `A task of the previous run (${busy.join(', ')}) has not ended yet; start again once it has.`,
      );
    }
    const run = locked.run + 1;
    await resetStages(transaction, projectId, STAGE_NAMES.slice(stagePosition(from)), run);
    const submitted = await enqueueStage(
      transaction,
      services.tasks,
      { project_id: projectId, run, stage: from },
      startedBy,
    );
    const project = await updateProject(transaction, projectId, {
      status: 'running',
      run,
      currentStage: from,
      failure: null,
      startedAt: now,
      finishedAt: null,
      updatedAt: now,
    });
    return { project: project!, submitted };
  });
  await services.tasks.announce(submitted);
  await publishProjectEvent(services.events, 'project.started', projectId, { run: project.run, from_stage: from });
  return project;
}

/** Stops a running project: its open stages end `cancelled` and the task of the current one is cancelled. */
export async function cancelProject(services: PipelineServices, projectId: string) {
  const now = services.now();
  const { project, cancelled } = await services.database.orm.transaction(async (transaction) => {
    const locked = await lockProject(transaction, projectId);
    if (!locked) throw new ProjectNotFoundError(projectId);
    if (locked.status !== 'running') {
      throw new ProjectStateError(
        locked.status,
        `The project is ${locked.status}; only a running project can be cancelled.`,
      );
    }
    const stages = await listStages(transaction, projectId);
    const open = stages.filter((stage) => ['queued', 'running'].includes(stage.status) && stage.taskId);
    const cancelled = [];
    for (const stage of open) {
      const row = await requestCancel(transaction, stage.taskId!);
      if (row) cancelled.push(row);
    }
    await endOpenStages(transaction, projectId, 'cancelled', 'the run was cancelled', now);
    const project = await updateProject(transaction, projectId, {
      status: 'cancelled',
      finishedAt: now,
      updatedAt: now,
    });
    return { project: project!, cancelled };
  });
  for (const row of cancelled) await services.tasks.announceCancel(row);
  await publishProjectEvent(services.events, 'project.cancelled', projectId, { run: project.run });
  return { project, cancelledTasks: cancelled };
}
