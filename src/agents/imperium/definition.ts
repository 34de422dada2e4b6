import { defineAgent } from '../definition.js';
import { inventoryRepositories, repositoryInput } from '../repository-inventory.js';

export const imperiumAgent = defineAgent({
  type: 'imperium',
  description: 'Proposes minimal, behaviour-preserving improvements and coordinates the learning cycle.',
  inputSchema: repositoryInput,
  defaultIntervalSeconds: (config) => config.intervals.imperiumLearning,
  concurrency: 2,
  timeoutSeconds: 1800,
  maxAttempts: 3,
  run: (context) =>
    inventoryRepositories(context, {
      languages: ['javascript', 'typescript', 'python'],
      pendingAnalysis: 'not yet available: the improvement engine is not built, so files are only counted',
    }),
});
