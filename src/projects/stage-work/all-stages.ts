import type { StageName } from '../stages.js';
import { apiDesignStage, architectureStage, databaseDesignStage, requirementsStage } from './design-stages.js';
import { buildStage } from './build-stage.js';
import { deployStage } from './deploy-stage.js';
import { qaStage } from './qa-stage.js';
import { backendStage, frontendStage, infrastructureStage } from './code-stages.js';
import type { StageWork } from './stage-work.js';

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
  qa: qaStage,
  deploy: deployStage,
};
