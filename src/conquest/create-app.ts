import { deploymentSlug } from '../deployments/manage-deployment.js';
import { createProject, type ProjectInput } from '../projects/create-project.js';
import type { PipelineServices } from '../projects/pipeline-services.js';
import { engineOf } from '../projects/project-engine.js';
import { InvalidProjectError } from '../projects/project-errors.js';
import { listStages, type Project } from '../projects/project-store.js';
import { startProject } from '../projects/run-pipeline.js';
import { STAGE_NAMES, type Target } from '../projects/stages.js';
import { requireTask } from '../tasks/require-task.js';
import type { TaskRow } from '../tasks/task-store.js';

// Conquest's `create-app` (seed 000): an app described by its name, description, type and features becomes
// a project whose pipeline starts at once; the pipeline's deploy stage runs it as the project's deployment.

export const APP_TYPES = ['web', 'api', 'flutter'] as const;
export type AppType = (typeof APP_TYPES)[number];

/** The generation targets of an app type: a Flutter client needs the API it talks to. */
const TARGETS_OF: Readonly<Record<AppType, readonly Target[]>> = {
  web: ['web'],
  api: ['api'],
  flutter: ['api', 'flutter'],
};

export interface AppRequest extends Omit<ProjectInput, 'targets'> {
  readonly type: AppType;
  readonly features: readonly string[];
  /** the project's targets when given (they must include the type); else the type's */
  readonly targets?: readonly Target[] | undefined;
}

export interface CreatedApp {
  readonly project: Project;
  /** the task of the pipeline's first stage */
  readonly task: TaskRow;
  /** the slug the deployment made by the deploy stage gets (its proxy address is /apps/{slug}/) */
  readonly slug: string;
}

/** The description the project stores: the app's own words, then its features as a list. */
export function describeApp(description: string, features: readonly string[]): string {
  if (features.length === 0) return description;
  const list = features.map((feature) => `- ${feature}`).join('\n');
  return `${description}${description ? '\n\n' : ''}Features:\n${list}`;
}

function targetsOf(request: AppRequest): readonly Target[] {
  if (request.targets === undefined) return TARGETS_OF[request.type];
  if (!request.targets.includes(request.type)) {
    throw new InvalidProjectError([
      { pointer: '/targets', message: `must include the app's type (${request.type}), or leave targets out` },
    ]);
  }
  return request.targets;
}

/**
 * Creates the project and starts its pipeline. Without a spec, an OpenAPI document or a template, the app is
 * generated from its description by a language model: with none configured, that cannot happen, and the
 * request is refused before anything is stored.
 */
export async function createApp(
  services: PipelineServices & { readonly languageModelConfigured: boolean },
  request: AppRequest,
  actor: { readonly id: string; readonly label: string },
): Promise<CreatedApp> {
  const { orm } = services.database;
  const input: ProjectInput = {
    name: request.name,
    description: describeApp(request.description, request.features),
    spec: request.spec,
    openapi: request.openapi,
    template: request.template,
    targets: targetsOf(request),
    engine: request.engine,
    token_budget: request.token_budget,
    time_budget_seconds: request.time_budget_seconds,
  };
  const structured = { spec: input.spec ?? null, openapi: input.openapi ?? null, template: input.template ?? null };
  if (engineOf({ engine: input.engine ?? null, ...structured }, services.languageModelConfigured) === 'model') {
    if (!services.languageModelConfigured) {
      throw new InvalidProjectError([
        { pointer: '/engine', message: 'the model engine needs a language model, and none is configured' },
      ]);
    }
  } else if (!structured.spec && !structured.openapi && !structured.template) {
    throw new InvalidProjectError([
      {
        pointer: '/template',
        message:
          'no language model is configured to write the app from its description: give a template (todo, crm), ' +
          'a spec or an OpenAPI document',
      },
    ]);
  }
  const created = await createProject(orm, input, actor.id);
  const project = await startProject(services, created.id, actor.label);
  const first = (await listStages(orm, project.id)).find((stage) => stage.stage === STAGE_NAMES[0]);
  const task = await requireTask(orm, first!.taskId!);
  return { project, task, slug: deploymentSlug(project.name, project.id) };
}
