import { z } from 'zod';
import { collectionPath, modelFromSpec } from '../../generation/app-model.js';
import { appSpecSchema, FIELD_TYPES, OPERATIONS } from '../../generation/app-spec.js';
import { architectureOf } from '../../generation/architecture.js';
import { checkMermaidFlowchart } from '../../generation/mermaid-flowchart.js';
import { openApiDocumentOf } from '../../generation/openapi-document.js';
import { requirementsOf, requirementsSchema } from '../../generation/requirements.js';
import { openApiErrors } from '../openapi-check.js';
import { StageFailedError, type StageInput, type StageOutput } from '../stage-work/stage-work.js';
import { APP_SPEC_FILE } from '../stage-work/project-model.js';
import { askModel, type ModelRun } from './ask-model.js';

// The model engine's stages 1 and 2: the model writes the app's spec and requirements from the project's
// description, then its architecture from those; each answer is checked before it is kept. Everything
// after (the OpenAPI document, the SQL, the code) is generated from the checked spec by the offline engine.

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** What the model writes in stage 1: the spec the generators take, and the requirements in words. */
export const modelRequirementsSchema = z.strictObject({
  summary: z.string().min(1).max(2000).describe('what the app is for, in two or three sentences'),
  spec: appSpecSchema,
  features: requirementsSchema.shape.features,
  user_stories: requirementsSchema.shape.user_stories,
  acceptance_criteria: requirementsSchema.shape.acceptance_criteria,
});
export type ModelRequirements = z.output<typeof modelRequirementsSchema>;

/** What the model writes in stage 2. The tech stack is not its to choose: the generators fix it. */
export const modelArchitectureSchema = z.strictObject({
  components: z
    .array(
      z.strictObject({
        name: z
          .string()
          .regex(/^[a-z][a-z0-9_]*$/, 'lower case letters, digits and underscores, starting with a letter'),
        kind: z.string().min(1).max(100),
        responsibility: z.string().min(1).max(1000),
        depends_on: z.array(z.string()).max(20),
      }),
    )
    .min(1)
    .max(20),
  narrative: z.string().min(1).max(6000).describe('how the parts work together, for a reviewer'),
  diagram: z.string().min(1).max(20_000).describe('a Mermaid flowchart whose node ids are the component names'),
});

const duplicates = (values: readonly string[]) => values.filter((value, index) => values.indexOf(value) !== index);

/** The checks of stage 1 beyond the schema: links between features, stories and criteria, and a valid API. */
export async function requirementsProblems(answer: ModelRequirements, projectName: string): Promise<string[]> {
  const problems: string[] = [];
  const features = new Set(answer.features.map((feature) => feature.id));
  const stories = new Set(answer.user_stories.map((story) => story.id));
  for (const id of duplicates(answer.features.map((feature) => feature.id)))
    problems.push(`feature id ${id} is used twice`);
  for (const id of duplicates(answer.user_stories.map((story) => story.id)))
    problems.push(`user story id ${id} is used twice`);
  for (const story of answer.user_stories) {
    if (!features.has(story.feature))
      problems.push(`user story ${story.id} names feature ${story.feature}, which is not listed`);
  }
  for (const criterion of answer.acceptance_criteria) {
    if (!stories.has(criterion.story)) {
      problems.push(`acceptance criterion ${criterion.id} names user story ${criterion.story}, which is not listed`);
    }
  }
  for (const story of stories) {
    if (!answer.acceptance_criteria.some((criterion) => criterion.story === story)) {
      problems.push(`user story ${story} has no acceptance criterion`);
    }
  }
  if (problems.length === 0) {
    const document = openApiDocumentOf(modelFromSpec({ name: projectName, description: answer.summary }, answer.spec));
    problems.push(
      ...(await openApiErrors(document)).map((error) => `the API generated from the spec is not valid: ${error}`),
    );
  }
  return problems;
}

const SPEC_GUIDE = [
  'The spec is the app as data; the app is generated from it by a deterministic generator (TypeScript,',
  'Fastify, PostgreSQL, React + Vite), so the spec decides everything the app does. Its shape:',
  '- entities: each with a PascalCase `name`, optional `plural`, `fields`, `relations`, `parent`, `auth`,',
  '  `pagination` and `operations`.',
  `- field types: ${FIELD_TYPES.join(', ')}; an enum field lists its \`values\`; fields may be \`required\`,`,
  '  `unique`, with `min_length`/`max_length` or `minimum`/`maximum`. `id`, `created_at` and `updated_at` are',
  '  given to every entity: never list them.',
  '- relations: `belongs_to` (this entity holds the reference, e.g. a Comment belongs_to a Post) or',
  '  `many_to_many`; `target` names another entity of the spec. Only a belongs_to can be `required`.',
  '- `parent` nests the routes (/posts/{post_id}/comments) and needs a required belongs_to to the parent.',
  '- `auth`: false, "write" (create, update and delete need a signed-in user) or true (every operation does).',
  `- operations: some of ${OPERATIONS.join(', ')} (all by default).`,
  '- plurals must not be app, auth, support, server, database, migrations, problems, frontend or openapi; with',
  '  auth, no entity may be called User or Session (the app has its own accounts).',
].join('\n');

export async function modelRequirementsStage(input: StageInput, run: ModelRun): Promise<StageOutput> {
  const { project } = input;
  if (project.description.trim() === '') {
    throw new StageFailedError(
      'description_required',
      'The model engine writes the app from the project’s description, and it is empty: describe the app.',
    );
  }
  const { value, attempts } = await askModel(run, {
    purpose: 'requirements',
    system:
      'You are the requirements analyst of an application generator. From a description of an app you write ' +
      `its structured spec and its requirements, as one JSON object.\n\n${SPEC_GUIDE}\n\n` +
      'Features have ids like F-posts; user stories (US-…) name their feature; acceptance criteria (AC-…) name ' +
      'their user story and are testable statements about the API. Every user story has at least one criterion.',
    prompt:
      `App name: ${project.name}\nTargets: ${project.targets.join(', ')}\n\nDescription:\n${project.description}\n\n` +
      'Write the JSON object: summary, spec, features, user_stories, acceptance_criteria.',
    schema: modelRequirementsSchema,
    schemaName: 'requirements',
    check: (answer) => requirementsProblems(answer, project.name),
    maxOutputTokens: 16_000,
  });
  const model = modelFromSpec({ name: project.name, description: value.summary }, value.spec);
  // The entities are the spec's own, so the requirements never disagree with what is generated.
  const requirements = requirementsSchema.parse({
    app: model.title,
    summary: value.summary,
    features: value.features,
    user_stories: value.user_stories,
    entities: requirementsOf(model).entities,
    acceptance_criteria: value.acceptance_criteria,
  });
  await input.log(
    `the model wrote a spec of ${value.spec.entities.length} entities (${model.resources.map((resource) => collectionPath(model, resource)).join(', ')}), ` +
      `${requirements.features.length} features, ${requirements.user_stories.length} user stories and ` +
      `${requirements.acceptance_criteria.length} acceptance criteria, kept after ${attempts} answer${attempts === 1 ? '' : 's'}`,
  );
  return {
    files: { 'requirements.json': json(requirements), [APP_SPEC_FILE]: json(value.spec) },
    artifacts: [
      { kind: 'requirements', name: 'requirements.json', mediaType: 'application/json', content: json(requirements) },
      { kind: 'spec', name: APP_SPEC_FILE, mediaType: 'application/json', content: json(value.spec) },
    ],
  };
}

/** The checks of stage 2 beyond the schema: the parts the targets need, their links, and a diagram that parses. */
export function architectureProblems(
  answer: z.output<typeof modelArchitectureSchema>,
  targets: readonly string[],
): string[] {
  const problems: string[] = [];
  const names = answer.components.map((component) => component.name);
  for (const name of duplicates(names)) problems.push(`component ${name} is listed twice`);
  const needed = targets.includes('web') ? ['frontend', 'backend', 'database'] : ['backend', 'database'];
  for (const name of needed) if (!names.includes(name)) problems.push(`the components must include ${name}`);
  if (!targets.includes('web') && names.includes('frontend')) {
    problems.push('the targets ask for no web frontend: leave the frontend component out');
  }
  for (const component of answer.components) {
    for (const dependency of component.depends_on) {
      if (!names.includes(dependency))
        problems.push(`${component.name} depends on ${dependency}, which is not a component`);
    }
  }
  const diagram = checkMermaidFlowchart(answer.diagram);
  problems.push(...diagram.problems.map((problem) => `the Mermaid diagram does not parse: ${problem}`));
  if (diagram.problems.length === 0) {
    for (const name of names) {
      if (!diagram.nodes.has(name)) problems.push(`the diagram has no node with the id ${name}`);
    }
  }
  return problems;
}

export async function modelArchitectureStage(
  input: StageInput,
  run: ModelRun,
  artifacts: { requirements: string; spec: string },
): Promise<StageOutput> {
  const { project } = input;
  const fixed = architectureOf(
    modelFromSpec(project, appSpecSchema.parse(JSON.parse(artifacts.spec))),
    project.targets,
  );
  const { value, attempts } = await askModel(run, {
    purpose: 'architecture',
    system:
      'You are the architect of an application generator. From the requirements and spec of an app you ' +
      'describe its architecture as one JSON object: its components (lower-case names; `backend` and ' +
      '`database` always, `frontend` only for the web target), a narrative, and a Mermaid flowchart ' +
      '("flowchart LR") whose node ids are the component names; quote labels that hold brackets. The tech ' +
      `stack is fixed by the generator: ${JSON.stringify(fixed.tech_stack)}.`,
    prompt:
      `App: ${project.name}\nTargets: ${project.targets.join(', ')}\n\nrequirements.json:\n${artifacts.requirements}\n` +
      `app-spec.json:\n${artifacts.spec}\nWrite the JSON object: components, narrative, diagram.`,
    schema: modelArchitectureSchema,
    schemaName: 'architecture',
    check: (answer) => architectureProblems(answer, project.targets),
    maxOutputTokens: 8_000,
  });
  const architecture = { components: value.components, tech_stack: fixed.tech_stack, narrative: value.narrative };
  const diagram = value.diagram.endsWith('\n') ? value.diagram : `${value.diagram}\n`;
  await input.log(
    `the model described ${value.components.length} components (${value.components.map((part) => part.name).join(', ')}) ` +
      `and a diagram that parses, kept after ${attempts} answer${attempts === 1 ? '' : 's'}; the tech stack is the generator's`,
  );
  return {
    files: { 'docs/architecture.json': json(architecture), 'docs/architecture.mmd': diagram },
    artifacts: [
      { kind: 'architecture', name: 'architecture.json', mediaType: 'application/json', content: json(architecture) },
      { kind: 'diagram', name: 'architecture.mmd', mediaType: 'text/vnd.mermaid', content: diagram },
    ],
  };
}
