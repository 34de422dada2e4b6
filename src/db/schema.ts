// The database schema, one file per domain under ./schema/; this barrel is what the code imports and what
// drizzle-kit reads (drizzle.config.ts).
export * from './schema/accounts.js';
export * from './schema/repositories.js';
export * from './schema/proposals.js';
export * from './schema/events.js';
export * from './schema/tasks.js';
export * from './schema/guardian.js';
export * from './schema/sandbox.js';
export * from './schema/llm.js';
export * from './schema/learning.js';
export * from './schema/custody.js';
export * from './schema/projects.js';
export type { ProposalFileChange } from '../analysis/changes.js';
export * from './schema/deployments.js';
