import type { z } from 'zod';
import { appSpecSchema } from '../generation/app-spec.js';
import { openApiErrors } from './openapi-check.js';
import { TEMPLATES } from '../generation/templates.js';
import type { Orm } from '../db/database.js';
import {
  InvalidProjectError,
  ProjectForbiddenError,
  ProjectNotFoundError,
  ProjectStateError,
} from './project-errors.js';
import { findProject, insertProject, updateProjectIn, type Project } from './project-store.js';
import type { Engine } from './project-engine.js';
import type { Target } from './stages.js';

export interface ProjectInput {
  readonly name: string;
  readonly description: string;
  readonly spec?: Record<string, unknown> | undefined;
  readonly openapi?: Record<string, unknown> | undefined;
  readonly template?: string | undefined;
  readonly targets: readonly Target[];
  /** `offline` or `model`; absent: chosen when a stage runs (src/projects/project-engine.ts) */
  readonly engine?: Engine | undefined;
  readonly token_budget?: number | undefined;
  readonly time_budget_seconds?: number | undefined;
}

const pointerOf = (root: string, path: readonly PropertyKey[]) =>
  `/${[root, ...path.map((segment) => String(segment).replaceAll('~', '~0').replaceAll('/', '~1'))].join('/')}`;

/**
 * Everything that can be known wrong before a run: the spec against its schema (each fault with its JSON
 * pointer), the OpenAPI document against the OpenAPI schema, the template's name, and the targets.
 */
export async function checkProjectInput(input: Partial<ProjectInput>): Promise<void> {
  const errors: { pointer: string; message: string }[] = [];
  if (input.spec !== undefined) {
    const parsed = appSpecSchema.safeParse(input.spec);
    if (!parsed.success) {
      errors.push(
        ...parsed.error.issues.map((issue: z.core.$ZodIssue) => ({
          pointer: pointerOf('spec', issue.path),
          message: issue.message,
        })),
      );
    }
  }
  if (input.openapi !== undefined) {
    const version = input.openapi.openapi;
    if (typeof version !== 'string' || !/^3\.[01]\.\d+$/.test(version)) {
      errors.push({ pointer: '/openapi/openapi', message: 'must be an OpenAPI 3.0 or 3.1 version, e.g. "3.1.0"' });
    } else {
      errors.push(...(await openApiErrors(input.openapi)).map((message) => ({ pointer: '/openapi', message })));
    }
  }
  if (input.template !== undefined && !(input.template in TEMPLATES)) {
    errors.push({
      pointer: '/template',
      message: `no template ${input.template}; templates are ${Object.keys(TEMPLATES).join(', ')}`,
    });
  }
  if (input.targets !== undefined) {
    if (input.targets.includes('web') && input.targets.includes('api')) {
      errors.push({ pointer: '/targets', message: 'web already includes the api: give one of them' });
    }
    if (input.targets.includes('flutter') && !input.targets.some((target) => target === 'web' || target === 'api')) {
      errors.push({ pointer: '/targets', message: 'a flutter client needs the api it talks to: add web or api' });
    }
  }
  if (errors.length > 0) throw new InvalidProjectError(errors);
}

/** The model engine writes the spec itself: a project that brings one (or a document, a template) is offline. */
function checkEngine(project: Pick<ProjectInput, 'engine' | 'spec' | 'openapi' | 'template'>) {
  if (project.engine !== 'model') return;
  const given = (['spec', 'openapi', 'template'] as const).filter((field) => project[field] !== undefined);
  if (given.length > 0) {
    throw new InvalidProjectError([
      {
        pointer: '/engine',
        message:
          `the model engine writes the spec from the description; this project gives ${given.join(', ')}, ` +
          'which the offline engine generates from: leave engine out (or offline), or remove them',
      },
    ]);
  }
}

export async function createProject(orm: Orm, input: ProjectInput, ownerId: string): Promise<Project> {
  await checkProjectInput(input);
  checkEngine(input);
  return insertProject(orm, {
    name: input.name,
    description: input.description,
    spec: input.spec ?? null,
    openapi: input.openapi ?? null,
    template: input.template ?? null,
    targets: [...input.targets],
    engine: input.engine ?? null,
    tokenBudget: input.token_budget ?? null,
    timeBudgetSeconds: input.time_budget_seconds ?? null,
    ownerId,
  });
}

export interface Actor {
  readonly id: string;
  readonly admin: boolean;
}

/** The project, if `actor` may change it: its owner or an admin. */
export async function requireOwnProject(orm: Orm, projectId: string, actor: Actor): Promise<Project> {
  const project = await findProject(orm, projectId);
  if (!project) throw new ProjectNotFoundError(projectId);
  if (project.ownerId !== actor.id && !actor.admin) {
    throw new ProjectForbiddenError('Only the owner of the project or an admin may change or delete it.');
  }
  return project;
}

/** Changes a draft; a project that has run keeps what it ran with (409). */
export async function changeProject(
  orm: Orm,
  projectId: string,
  changes: Partial<ProjectInput>,
  actor: Actor,
  now: Date,
): Promise<Project> {
  const project = await requireOwnProject(orm, projectId, actor);
  if (project.status !== 'draft') {
    throw new ProjectStateError(project.status, `The project is ${project.status}; only a draft can be changed.`);
  }
  await checkProjectInput(changes);
  checkEngine({
    engine: changes.engine ?? project.engine ?? undefined,
    spec: changes.spec ?? project.spec ?? undefined,
    openapi: changes.openapi ?? project.openapi ?? undefined,
    template: changes.template ?? project.template ?? undefined,
  });
  // Only while it is a draft: a start that won the race keeps what it started with.
  const updated = await updateProjectIn(orm, projectId, 'draft', {
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.description !== undefined ? { description: changes.description } : {}),
    ...(changes.spec !== undefined ? { spec: changes.spec } : {}),
    ...(changes.openapi !== undefined ? { openapi: changes.openapi } : {}),
    ...(changes.template !== undefined ? { template: changes.template } : {}),
    ...(changes.targets !== undefined ? { targets: [...changes.targets] } : {}),
    ...(changes.engine !== undefined ? { engine: changes.engine } : {}),
    ...(changes.token_budget !== undefined ? { tokenBudget: changes.token_budget } : {}),
    ...(changes.time_budget_seconds !== undefined ? { timeBudgetSeconds: changes.time_budget_seconds } : {}),
    updatedAt: now,
  });
  if (!updated)
    throw new ProjectStateError('running', 'The project was started meanwhile; only a draft can be changed.');
  return updated;
}
