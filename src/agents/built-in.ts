import { conquestAgent } from './conquest/definition.js';
import { custodyAgent } from './custody/definition.js';
import { declarativeAgent } from './declarative/definition.js';
import type { AnyAgentDefinition } from '../tasks/agent-definition.js';
import { guardianAgent } from './guardian/definition.js';
import { imperiumAgent } from './imperium/definition.js';
import { learningAgent } from './learning/definition.js';
import { PIPELINE_AGENTS } from './pipeline/definition.js';
import { sandboxAgent } from './sandbox/definition.js';

/** The agents lvlup ships with. A new agent type is one more entry here (or in a registry of its own). */
export const BUILT_IN_AGENTS: readonly AnyAgentDefinition[] = [
  imperiumAgent,
  guardianAgent,
  sandboxAgent,
  conquestAgent,
  // tests the other agents with generated cases of known ground truth (src/custody/)
  custodyAgent,
  // the metrics step of Imperium's learning cycle (collection + retrain)
  learningAgent,
  // a template: the handler of the declarative agents created through POST /api/v1/agents
  declarativeAgent,
  // the eleven stages of a project's generation (src/projects/), run on demand
  ...PIPELINE_AGENTS,
];
