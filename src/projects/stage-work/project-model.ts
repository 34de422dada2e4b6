import { appSpecSchema } from '../../generation/app-spec.js';
import { modelFromSpec, type AppModel } from '../../generation/app-model.js';
import { TEMPLATES } from '../../generation/templates.js';
import type { Project } from '../project-store.js';
import { StageFailedError } from './stage-work.js';

/**
 * The app model of a project, from its spec or its template. The spec was checked when the project was
 * stored; it is parsed again because a stage runs from the stored row. A project with only a description
 * (or only an OpenAPI document, which the offline engine cannot read yet) stops here, saying what to give.
 */
export function projectModel(project: Project): AppModel {
  const spec = project.spec ?? (project.template ? TEMPLATES[project.template]?.spec : undefined);
  if (spec === undefined) {
    throw new StageFailedError(
      project.openapi ? 'openapi_input_unsupported' : 'spec_required',
      project.openapi
        ? 'The offline engine generates from a structured `spec` or a `template`; generating from an `openapi` ' +
            'document alone is not built yet. Add a `spec` (entities with typed fields) to the project.'
        : 'A description alone is not enough to generate an app offline, and no model engine is built yet. ' +
            'Give the project a structured `spec` (entities with typed fields, relations, auth, pagination) or a ' +
            `\`template\` (${Object.keys(TEMPLATES).join(', ')}).`,
    );
  }
  return modelFromSpec(project, appSpecSchema.parse(spec));
}
