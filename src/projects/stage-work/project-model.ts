import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { appSpecSchema } from '../../generation/app-spec.js';
import { modelFromSpec, type AppModel } from '../../generation/app-model.js';
import { TEMPLATES } from '../../generation/templates.js';
import type { Engine } from '../project-engine.js';
import type { Project } from '../project-store.js';
import { StageFailedError } from './stage-work.js';

/** Where the model engine's requirements stage writes the spec it had the model write (in the work tree). */
export const APP_SPEC_FILE = 'app-spec.json';

/**
 * The app model of a project. Offline: from its spec or its template (checked when the project was stored;
 * parsed again because a stage runs from the stored row); a project with only a description (or only an
 * OpenAPI document, which the offline engine cannot read yet) stops here, saying what to give. Model
 * engine: from the spec the requirements stage of this run wrote and committed, checked again.
 */
export async function projectModel(project: Project, folder: string, engine: Engine): Promise<AppModel> {
  if (engine === 'model') return modelFromSpec(project, await modelWrittenSpec(folder));
  const spec = project.spec ?? (project.template ? TEMPLATES[project.template]?.spec : undefined);
  if (spec === undefined) {
    throw new StageFailedError(
      project.openapi ? 'openapi_input_unsupported' : 'spec_required',
      project.openapi
        ? 'The offline engine generates from a structured `spec` or a `template`; generating from an `openapi` ' +
            'document alone is not built yet. Add a `spec` (entities with typed fields) to the project.'
        : 'A description alone is not enough to generate an app offline. Give the project a structured `spec` ' +
            '(entities with typed fields, relations, auth, pagination) or a ' +
            `\`template\` (${Object.keys(TEMPLATES).join(', ')}), or configure a language model provider ` +
            '(OPENAI_API_KEY, ANTHROPIC_API_KEY, OLLAMA_BASE_URL or LLM_OPENAI_COMPATIBLE_BASE_URL) so that the ' +
            'model engine writes the spec from the description.',
    );
  }
  return modelFromSpec(project, appSpecSchema.parse(spec));
}

/** The spec the model wrote in the requirements stage, read from the work tree and checked again. */
export async function modelWrittenSpec(folder: string) {
  let text: string;
  try {
    text = await readFile(path.join(folder, APP_SPEC_FILE), 'utf8');
  } catch {
    throw new StageFailedError(
      'spec_missing',
      `The requirements stage of this run left no ${APP_SPEC_FILE} in the work tree; retry from requirements.`,
    );
  }
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch (error) {
    throw new StageFailedError('invalid_spec', `${APP_SPEC_FILE} is not JSON: ${(error as Error).message}`);
  }
  const parsed = appSpecSchema.safeParse(stored);
  if (!parsed.success) {
    throw new StageFailedError('invalid_spec', `${APP_SPEC_FILE} is not a valid spec: ${parsed.error.message}`);
  }
  return parsed.data;
}
