import { defineAgent, type AnyAgentDefinition } from '../../tasks/agent-definition.js';
import { guardianAgent } from '../guardian/definition.js';
import { learningAgent } from '../learning/definition.js';
import { sandboxAgent } from '../sandbox/definition.js';
import { isCycle, runCycle } from '../../imperium/cycle.js';
import { runImperium } from '../../imperium/repository-run.js';
import { imperiumInput, type ImperiumInput } from '../../imperium/imperium-input.js';

export { imperiumInput, type ImperiumInput };

export const imperiumAgent: AnyAgentDefinition = defineAgent({
  type: 'imperium',
  description: 'Proposes minimal, behaviour-preserving improvements and coordinates the learning cycle.',
  inputSchema: imperiumInput,
  defaultIntervalSeconds: (config) => config.intervals.imperiumLearning,
  // two at once: a waiting cycle coordinator leaves a slot for its own proposal step (docs/imperium.md)
  concurrency: 2,
  // a cycle waits for every step's task; an hour, like Sandbox and Conquest
  timeoutSeconds: 3600,
  maxAttempts: 3,
  run: (context) =>
    isCycle(context)
      ? runCycle(context, (agentType) =>
          [guardianAgent, sandboxAgent, learningAgent, imperiumAgent].find((agent) => agent.type === agentType),
        )
      : runImperium(context),
});
