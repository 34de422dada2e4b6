import type { StageName } from '../stages.js';
import { apiDesignStage, architectureStage, databaseDesignStage, requirementsStage } from './design-stages.js';
import { buildStage } from './build-stage.js';
import { backendStage, frontendStage, infrastructureStage } from './code-stages.js';
import { StageFailedError, type StageWork } from './stage-work.js';

const notBuilt =
  (stage: string): StageWork =>
  () =>
    Promise.reject(
      new StageFailedError(
        'stage_unavailable',
        `The ${stage} stage is not built in this version of lvlup; the run stops here, with what the stages ` +
          'before it produced committed and stored.',
      ),
    );

/** The work of each stage but recovery, which the pipeline runs itself when a stage fails. */
export const STAGE_WORK: Readonly<Record<Exclude<StageName, 'recovery'>, StageWork>> = {
  requirements: requirementsStage,
  architecture: architectureStage,
  api_design: apiDesignStage,
  database_design: databaseDesignStage,
  backend: backendStage,
  frontend: frontendStage,
  infrastructure: infrastructureStage,
  build: buildStage,
  qa: notBuilt('qa'),
  deploy: notBuilt('deploy'),
};
