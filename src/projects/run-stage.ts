import { existsSync } from 'node:fs';
import path from 'node:path';
import { TaskCancelledError, TaskFailure, WorkerStoppingError } from '../tasks/task-errors.js';
import type { TaskContext } from '../tasks/agent-definition.js';
import { replaceStageArtifacts } from './artifact-store.js';
import { enqueueStage, type StageTaskInput } from './enqueue-stage.js';
import { publishProjectEvent } from './project-events.js';
import { findProject, findStage, lockProject, updateProject, updateStage, type Project } from './project-store.js';
import { commitFiles, headCommit, pinned, projectFolder, resetWorkTree } from './project-work-tree.js';
import { STAGE_WORK } from './stage-work/all-stages.js';
import { StageFailedError, type StageOutput } from './stage-work/stage-work.js';
import { stageAfter, stageAgentType, stageBefore, type StageName } from './stages.js';
import { git } from '../git/git.js';
import type { LanguageModelService } from '../llm/language-model-service.js';
import { checkTimeBudget, type ModelRun } from './model-engine/ask-model.js';
import { budgetsOf, engineOf, type Engine } from './project-engine.js';

type StageContext = Pick<
  TaskContext<StageTaskInput>,
  'task' | 'input' | 'signal' | 'database' | 'config' | 'events' | 'tasks' | 'log'
>;

const RECOVERY_REASON =
  'the fixers that repair a failed stage are not built yet: the run stopped at the failed stage, whose ' +
  'reason and logs say what went wrong';

/** What the pipeline's stages run with besides their task: the language model and the clock of budgets. */
export interface StageSettings {
  /** the language model service of this process for this configuration */
  readonly languageModel: (context: Pick<StageContext, 'database' | 'config'>) => LanguageModelService;
  /** the clock the model engine's wall-clock budget is read on (the one that stamped the run's start) */
  readonly now: () => Date;
}

/** Stages 1 to 7 write the app; each says which engine wrote what. */
const GENERATING = new Set<StageName>([
  'requirements',
  'architecture',
  'api_design',
  'database_design',
  'backend',
  'frontend',
  'infrastructure',
]);

function engineNote(engine: Engine, stage: StageName): string | undefined {
  if (!GENERATING.has(stage)) return undefined;
  if (engine === 'offline') return 'engine: offline';
  return stage === 'requirements' || stage === 'architecture'
    ? 'engine: model (its answer is checked before it is kept)'
    : 'engine: offline from model-written spec';
}

/**
 * Runs one stage of one run of a project: the task handler of every pipeline agent. A task of a run that
 * is over (cancelled, or superseded by a retry) does nothing. The stage's files are committed, then in one
 * transaction its artifacts are stored, it is marked succeeded and the next stage is queued; a handler
 * retried after that transaction finds its stage done and changes nothing.
 */
export async function runStage(context: StageContext, settings: StageSettings): Promise<Record<string, unknown>> {
  const { input, database } = context;
  const orm = database.orm;
  const stage = input.stage;
  const project = await findProject(orm, input.project_id);
  if (!project || project.run !== input.run || project.status !== 'running') {
    return { stage, skipped: 'the run this task belongs to is over' };
  }
  const row = await findStage(orm, project.id, stage);
  if (row?.status === 'succeeded' && row.run === input.run) return { stage, commit: row.commit, already_done: true };
  if (stage === 'recovery') return { stage, skipped: 'recovery runs only when a stage fails' };
  // Only the task the pipeline queued for this stage of this run does its work: a task submitted by hand
  // (POST /agents/{type}/run) with the same input would run the stage a second time in the same work tree.
  if (row?.taskId !== context.task.id)
    return { stage, skipped: 'this is not the task the pipeline queued for the stage' };

  const folder = projectFolder(context.config.dataDirectory, project.id);
  const startedAt = new Date();
  // Claimed under the project's lock: a cancel or a retry that committed first wins, and a cancel that
  // comes later finds the stage running and ends it.
  const claimed = await orm.transaction(async (transaction) => {
    const locked = await lockProject(transaction, project.id);
    if (!locked || locked.run !== input.run || locked.status !== 'running') return false;
    await updateStage(transaction, project.id, stage, {
      status: 'running',
      taskId: context.task.id,
      attempts: (row?.attempts ?? 0) + 1,
      startedAt,
    });
    return true;
  });
  if (!claimed) return { stage, skipped: 'the run this task belongs to is over' };
  await publishProjectEvent(context.events, 'project.stage_started', project.id, {
    run: input.run,
    stage,
    task_id: context.task.id,
  });

  let output: StageOutput;
  let commit: string;
  try {
    if (!existsSync(path.join(folder, '.git'))) {
      throw new StageFailedError('work_tree_missing', `The project's git repository is missing from ${folder}.`);
    }
    await resetWorkTree(folder, await startingCommit(orm, project, stage, folder));
    const log = (message: string) => context.log('info', `${stage}: ${message}`);
    const llm = settings.languageModel(context);
    const engine = engineOf(project, llm.isConfigured());
    const note = engineNote(engine, stage);
    if (note) await log(note);
    let model: ModelRun | undefined;
    if (engine === 'model') {
      model = {
        llm,
        orm,
        now: settings.now,
        projectId: project.id,
        run: input.run,
        startedAt: project.startedAt ?? startedAt,
        budgets: budgetsOf(project, context.config),
        attempts: context.config.projectModel.attempts,
        agentType: stageAgentType(stage),
        taskId: context.task.id,
        signal: context.signal,
        log,
      };
      // A run of the model engine stops at the first stage that starts past its wall-clock budget.
      checkTimeBudget(model);
    }
    output = await STAGE_WORK[stage]({
      project,
      folder,
      signal: context.signal,
      config: context.config,
      log,
      engine,
      model,
    });
    commit = await commitFiles(folder, output.files, {
      subject: output.skipped ? `${stage}: skipped` : `${stage}: ${summaryOf(output)}`,
      trailers: {
        'Lvlup-Project': project.id,
        'Lvlup-Stage': stage,
        'Lvlup-Task': context.task.id,
        'Lvlup-Run': String(input.run),
      },
    });
  } catch (error) {
    // A cancel ended the run already, and a worker that stops hands the task on; any other abort (the
    // stage's time limit) ends the run here, or the project would stay `running` with nothing running.
    const reason: unknown = context.signal.reason;
    if (context.signal.aborted && (reason instanceof TaskCancelledError || reason instanceof WorkerStoppingError))
      throw error;
    if (context.signal.aborted) {
      await failRun(
        context,
        project,
        stage,
        new StageFailedError('stage_timeout', `the ${stage} stage ran past its time limit`),
      );
      throw error;
    }
    await failRun(context, project, stage, error);
    const failure = error instanceof StageFailedError ? error : undefined;
    throw new TaskFailure(failure?.code ?? 'stage_failed', (error as Error).message, false);
  }

  const next = stageAfter(stage);
  const finishedAt = new Date();
  const outcome = await orm.transaction(async (transaction) => {
    const locked = await lockProject(transaction, project.id);
    if (!locked || locked.run !== input.run || locked.status !== 'running') return undefined;
    await replaceStageArtifacts(
      transaction,
      { projectId: project.id, stage, run: input.run },
      output.artifacts.map((artifact) => ({
        projectId: project.id,
        taskId: context.task.id,
        stage,
        run: input.run,
        kind: artifact.kind,
        name: artifact.name,
        mediaType: artifact.mediaType,
        content: Buffer.isBuffer(artifact.content) ? artifact.content : Buffer.from(artifact.content),
      })),
    );
    await updateStage(transaction, project.id, stage, {
      status: output.skipped ? 'skipped' : 'succeeded',
      reason: output.skipped ?? output.note ?? null,
      commit,
      finishedAt,
    });
    if (next === undefined || next === 'recovery') {
      await updateStage(transaction, project.id, 'recovery', {
        status: 'skipped',
        reason: 'no stage failed',
        finishedAt,
        run: input.run,
      });
      await updateProject(transaction, project.id, {
        status: 'succeeded',
        currentStage: null,
        finishedAt,
        updatedAt: finishedAt,
      });
      return { finished: true as const };
    }
    const submitted = await enqueueStage(
      transaction,
      context.tasks,
      { project_id: project.id, run: input.run, stage: next },
      undefined,
    );
    await updateProject(transaction, project.id, { currentStage: next, updatedAt: finishedAt });
    return { finished: false as const, submitted };
  });
  if (!outcome) return { stage, commit, skipped: 'the run ended while the stage ran' };
  await publishProjectEvent(context.events, 'project.stage_succeeded', project.id, { run: input.run, stage, commit });
  if (outcome.finished) await publishProjectEvent(context.events, 'project.succeeded', project.id, { run: input.run });
  else await context.tasks.announce(outcome.submitted);
  return { stage, commit, artifacts: output.artifacts.length, ...(output.skipped ? { skipped: output.skipped } : {}) };
}

/** Where a stage starts: the commit of the stage before it in this run, or the repository's first commit. */
async function startingCommit(
  orm: StageContext['database']['orm'],
  project: Project,
  stage: StageName,
  folder: string,
) {
  const previous = stageBefore(stage);
  if (previous) {
    const row = await findStage(orm, project.id, previous);
    if (row?.commit) return row.commit;
  }
  const roots = (await git([...pinned(folder), 'rev-list', '--max-parents=0', 'HEAD'], { cwd: folder })).stdout
    .trim()
    .split('\n');
  return roots.at(-1) ?? (await headCommit(folder));
}

function summaryOf(output: StageOutput): string {
  const files = Object.keys(output.files).length;
  return `${files} file${files === 1 ? '' : 's'}, ${output.artifacts.map((artifact) => artifact.name).join(', ') || 'no artifacts'}`;
}

/** The stage failed: the run stops there, with the reason on the stage and the project. */
async function failRun(context: StageContext, project: Project, stage: StageName, error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof StageFailedError ? error.code : 'stage_failed';
  const at = new Date();
  await context.log('error', `${stage}: ${message}`);
  const failed = await context.database.orm.transaction(async (transaction) => {
    const locked = await lockProject(transaction, project.id);
    if (!locked || locked.run !== context.input.run || locked.status !== 'running') return false;
    await updateStage(transaction, project.id, stage, { status: 'failed', reason: message, finishedAt: at });
    await updateStage(transaction, project.id, 'recovery', {
      status: 'skipped',
      reason: RECOVERY_REASON,
      finishedAt: at,
      run: context.input.run,
    });
    await updateProject(transaction, project.id, {
      status: 'failed',
      failure: { code, message, stage },
      finishedAt: at,
      updatedAt: at,
    });
    return true;
  });
  if (failed) {
    await publishProjectEvent(context.events, 'project.failed', project.id, {
      run: context.input.run,
      stage,
      code,
      message,
    });
  }
}
