import { z } from 'zod';
import { collectionPath, type AppModel, type Resource } from './app-model.js';
import type { Operation } from './app-spec.js';

// Stage 1's artifact: what the app must do, in words a reviewer reads and in a shape later stages check.

export const requirementsSchema = z.strictObject({
  app: z.string().min(1),
  summary: z.string(),
  features: z.array(z.strictObject({ id: z.string(), title: z.string(), description: z.string() })).min(1),
  user_stories: z
    .array(
      z.strictObject({
        id: z.string(),
        feature: z.string(),
        as_a: z.string(),
        i_want: z.string(),
        so_that: z.string(),
      }),
    )
    .min(1),
  entities: z
    .array(
      z.strictObject({
        name: z.string(),
        description: z.string(),
        fields: z.array(
          z.strictObject({ name: z.string(), type: z.string(), required: z.boolean(), unique: z.boolean() }),
        ),
        relations: z.array(z.strictObject({ name: z.string(), kind: z.string(), target: z.string() })),
      }),
    )
    .min(1),
  acceptance_criteria: z.array(z.strictObject({ id: z.string(), story: z.string(), criterion: z.string() })).min(1),
});
export type Requirements = z.infer<typeof requirementsSchema>;

const VERBS: Readonly<Record<Operation, (resource: Resource) => string>> = {
  list: (resource) => `see the list of ${resource.pluralTitle.toLowerCase()}`,
  get: (resource) => `open one ${resource.title.toLowerCase()}`,
  create: (resource) => `create a ${resource.title.toLowerCase()}`,
  update: (resource) => `change a ${resource.title.toLowerCase()}`,
  delete: (resource) => `delete a ${resource.title.toLowerCase()}`,
};

export function requirementsOf(model: AppModel): Requirements {
  const features: Requirements['features'] = [];
  const stories: Requirements['user_stories'] = [];
  const criteria: Requirements['acceptance_criteria'] = [];
  for (const resource of model.resources) {
    const feature = `F-${resource.segment}`;
    features.push({
      id: feature,
      title: `Manage ${resource.pluralTitle.toLowerCase()}`,
      description:
        resource.description ??
        `${resource.pluralTitle} are stored and served at ${collectionPath(model, resource)} (${resource.operations.join(', ')}).`,
    });
    const who = resource.auth === 'none' ? 'visitor' : 'signed-in user';
    for (const operation of resource.operations) {
      const story = `US-${resource.segment}-${operation}`;
      const actor = resource.auth === 'write' && (operation === 'list' || operation === 'get') ? 'visitor' : who;
      stories.push({
        id: story,
        feature,
        as_a: actor,
        i_want: `to ${VERBS[operation](resource)}`,
        so_that: `the ${resource.pluralTitle.toLowerCase()} stay up to date`,
      });
      criteria.push(...criteriaOf(model, resource, operation, story));
    }
  }
  if (model.auth) {
    features.push({
      id: 'F-accounts',
      title: 'Accounts',
      description: 'People register with an email and a password and sign in to get a token.',
    });
    stories.push({
      id: 'US-accounts-register',
      feature: 'F-accounts',
      as_a: 'visitor',
      i_want: 'to register and sign in',
      so_that: 'I can change data',
    });
    criteria.push(
      {
        id: 'AC-accounts-1',
        story: 'US-accounts-register',
        criterion: 'Registering an email twice is refused with 409.',
      },
      { id: 'AC-accounts-2', story: 'US-accounts-register', criterion: 'A wrong password is refused with 401.' },
    );
  }
  return {
    app: model.title,
    summary: model.description,
    features,
    user_stories: stories,
    entities: model.resources.map((resource) => ({
      name: resource.name,
      description: resource.description ?? `A ${resource.title.toLowerCase()}.`,
      fields: resource.fields.map((field) => ({
        name: field.name,
        type: field.type,
        required: field.required,
        unique: field.unique,
      })),
      relations: [
        ...resource.belongsTo.map((link) => ({ name: link.name, kind: 'belongs_to', target: link.target })),
        ...resource.manyToMany.map((link) => ({ name: link.name, kind: 'many_to_many', target: link.target })),
      ],
    })),
    acceptance_criteria: criteria,
  };
}

function criteriaOf(model: AppModel, resource: Resource, operation: Operation, story: string) {
  const path = collectionPath(model, resource);
  const lines: string[] = [];
  if (operation === 'create') {
    lines.push(`POST ${path} with valid data answers 201 with the stored ${resource.title.toLowerCase()}.`);
    const required = resource.fields.filter((field) => field.required).map((field) => field.name);
    if (required.length > 0) lines.push(`POST ${path} without ${required.join(', ')} answers 400.`);
    for (const field of resource.fields.filter((candidate) => candidate.unique)) {
      lines.push(`A second ${resource.title.toLowerCase()} with the same ${field.name} answers 409.`);
    }
  }
  if (operation === 'list') {
    lines.push(
      `GET ${path} answers 200 with an array${resource.pagination ? ', paged by limit and offset, with X-Total-Count' : ''}.`,
    );
  }
  if (operation === 'get') lines.push(`GET ${path}/{id} answers 200, or 404 for an unknown id.`);
  if (operation === 'update') lines.push(`PATCH ${path}/{id} changes only the fields given and answers 200.`);
  if (operation === 'delete') lines.push(`DELETE ${path}/{id} answers 204, after which GET answers 404.`);
  if (resource.auth === 'all' || (resource.auth === 'write' && !['list', 'get'].includes(operation))) {
    lines.push('Without a valid token the request answers 401.');
  }
  return lines.map((criterion, index) => ({
    id: `AC-${resource.segment}-${operation}-${index + 1}`,
    story,
    criterion,
  }));
}
