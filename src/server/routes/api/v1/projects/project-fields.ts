import { z } from 'zod';
import { ENGINES } from '../../../../../projects/project-engine.js';
import { TARGETS } from '../../../../../projects/stages.js';

const document = z.record(z.string(), z.unknown());
/** The fields of a project as requests give them (create, change, and Conquest's create-app). */
export const projectFields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().max(10_000).describe('what the app is for, in words'),
  spec: document
    .optional()
    .describe(
      'the app as data: `entities` with typed fields, relations (belongs_to, many_to_many), parent, auth, pagination, operations',
    ),
  openapi: document.optional().describe('an OpenAPI 3.0 or 3.1 document the app must serve'),
  template: z.string().max(64).optional().describe('a ready-made spec by name: todo, crm'),
  targets: z.array(z.enum(TARGETS)).min(1).max(2).describe('web (backend + frontend), api (backend only), flutter'),
  engine: z
    .enum(ENGINES)
    .optional()
    .describe(
      'offline: generate from `spec`, `openapi` or `template`; model: a language model writes the spec from the ' +
        'description (no spec, openapi or template). Absent: model for a description alone when an LLM is configured',
    ),
  token_budget: z
    .number()
    .int()
    .min(1)
    .max(100_000_000)
    .optional()
    .describe('tokens one run of the model engine may spend (default PROJECT_TOKEN_BUDGET)'),
  time_budget_seconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .optional()
    .describe('seconds one run of the model engine may take (default PROJECT_TIME_BUDGET_SECONDS)'),
};
