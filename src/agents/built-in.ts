import { conquestAgent } from './conquest/definition.js';
import type { AnyAgentDefinition } from './definition.js';
import { guardianAgent } from './guardian/definition.js';
import { imperiumAgent } from './imperium/definition.js';
import { sandboxAgent } from './sandbox/definition.js';

/** The agents lvlup ships with. A new agent type is one more entry here (or in a registry of its own). */
export const BUILT_IN_AGENTS: readonly AnyAgentDefinition[] = [
  imperiumAgent,
  guardianAgent,
  sandboxAgent,
  conquestAgent,
];
