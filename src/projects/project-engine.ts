import type { Config } from '../config/config.js';
import type { Project } from './project-store.js';

export const ENGINES = ['offline', 'model'] as const;
export type Engine = (typeof ENGINES)[number];

/**
 * The engine a project's stages run with. Its own `engine` when it names one; otherwise the model engine
 * for a project described in words only (no spec, OpenAPI document or template) when a language model is
 * configured, and the offline engine for everything else. Chosen when a stage runs, not when the project
 * is stored, so a description-only project starts working once a provider is configured.
 */
export function engineOf(
  project: Pick<Project, 'engine' | 'spec' | 'openapi' | 'template'>,
  languageModelConfigured: boolean,
): Engine {
  if (project.engine) return project.engine;
  const structured = project.spec !== null || project.openapi !== null || project.template !== null;
  return !structured && languageModelConfigured ? 'model' : 'offline';
}

/** The limits of one run of the model engine: the project's own, or the configured defaults. */
export function budgetsOf(
  project: Pick<Project, 'tokenBudget' | 'timeBudgetSeconds'>,
  config: Pick<Config, 'projectModel'>,
) {
  return {
    tokens: project.tokenBudget ?? config.projectModel.tokenBudget,
    seconds: project.timeBudgetSeconds ?? config.projectModel.timeBudgetSeconds,
  };
}
