import { PGlite } from '@electric-sql/pglite';
import { openApiErrors } from '../openapi-check.js';
import { architectureOf } from '../../generation/architecture.js';
import { openApiDocumentOf } from '../../generation/openapi-document.js';
import { requirementsOf, requirementsSchema } from '../../generation/requirements.js';
import { entityRelationDiagramOf, sqlSchemaOf } from '../../generation/sql-schema.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { modelArchitectureStage, modelRequirementsStage } from '../model-engine/model-stages.js';
import { APP_SPEC_FILE, projectModel } from './project-model.js';
import { StageFailedError, type StageInput, type StageWork } from './stage-work.js';

// Stages 1 to 4: what the app is, before any code. Each output is checked before it is kept.

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The model engine's run, which a stage of the model engine cannot do without. */
function modelRunOf(input: StageInput) {
  if (!input.model) throw new Error('a stage of the model engine was started without its model run');
  return input.model;
}

export const requirementsStage: StageWork = async (input) => {
  if (input.engine === 'model') return modelRequirementsStage(input, modelRunOf(input));
  const { project, folder, engine, log } = input;
  const model = await projectModel(project, folder, engine);
  const checked = requirementsSchema.safeParse(requirementsOf(model));
  if (!checked.success) throw new StageFailedError('invalid_requirements', checked.error.message);
  const requirements = checked.data;
  await log(
    `${requirements.features.length} features, ${requirements.user_stories.length} user stories, ` +
      `${requirements.acceptance_criteria.length} acceptance criteria`,
  );
  return {
    files: { 'requirements.json': json(requirements) },
    artifacts: [
      { kind: 'requirements', name: 'requirements.json', mediaType: 'application/json', content: json(requirements) },
    ],
  };
};

export const architectureStage: StageWork = async (input) => {
  const { project, folder, engine, log } = input;
  if (engine === 'model') {
    const read = (name: string) => readFile(path.join(folder, name), 'utf8');
    return modelArchitectureStage(input, modelRunOf(input), {
      requirements: await read('requirements.json'),
      spec: await read(APP_SPEC_FILE),
    });
  }
  const architecture = architectureOf(await projectModel(project, folder, engine), project.targets);
  await log(
    `${architecture.components.length} components: ${architecture.components.map((part) => part.name).join(', ')}`,
  );
  const { diagram, ...rest } = architecture;
  return {
    files: { 'docs/architecture.json': json(rest), 'docs/architecture.mmd': diagram },
    artifacts: [
      { kind: 'architecture', name: 'architecture.json', mediaType: 'application/json', content: json(rest) },
      { kind: 'diagram', name: 'architecture.mmd', mediaType: 'text/vnd.mermaid', content: diagram },
    ],
  };
};

export const apiDesignStage: StageWork = async ({ project, folder, engine, log }) => {
  const document = openApiDocumentOf(await projectModel(project, folder, engine));
  const errors = await openApiErrors(document);
  if (errors.length > 0) {
    throw new StageFailedError('invalid_openapi', `The OpenAPI document is not valid: ${errors.join('\n')}`);
  }
  const operations = Object.values(document.paths as Record<string, object>).reduce(
    (total, item) => total + Object.keys(item).length,
    0,
  );
  await log(
    `OpenAPI 3.1 document with ${Object.keys(document.paths as object).length} paths and ${operations} operations, validated`,
  );
  return {
    files: { 'openapi.json': json(document) },
    artifacts: [{ kind: 'openapi', name: 'openapi.json', mediaType: 'application/json', content: json(document) }],
  };
};

export const databaseDesignStage: StageWork = async ({ project, folder, engine, log }) => {
  const model = await projectModel(project, folder, engine);
  const schema = sqlSchemaOf(model);
  // Run against a scratch PostgreSQL before it is accepted: SQL that does not run is not a design.
  const scratch = new PGlite();
  try {
    await scratch.exec(schema);
    const tables = await scratch.query<{ count: number }>(
      `select count(*)::int as count from information_schema.tables where table_schema = 'public'`,
    );
    await log(`the migration ran on a scratch PostgreSQL: ${tables.rows[0]?.count ?? 0} tables`);
  } catch (error) {
    throw new StageFailedError('invalid_sql', `The SQL schema does not run on PostgreSQL: ${(error as Error).message}`);
  } finally {
    await scratch.close();
  }
  const diagram = entityRelationDiagramOf(model);
  return {
    files: { 'db/migrations/0001_init.sql': schema, 'docs/er.mmd': diagram },
    artifacts: [
      { kind: 'sql', name: '0001_init.sql', mediaType: 'application/sql', content: schema },
      { kind: 'diagram', name: 'er.mmd', mediaType: 'text/vnd.mermaid', content: diagram },
    ],
  };
};
