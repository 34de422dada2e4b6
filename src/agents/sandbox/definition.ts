import { defineAgent } from '../definition.js';
import { inventoryRepositories, repositoryInput } from '../repository-inventory.js';

export const sandboxAgent = defineAgent({
  type: 'sandbox',
  description: 'Builds and tests every proposed change in isolation before a person sees it.',
  inputSchema: repositoryInput,
  defaultIntervalSeconds: (config) => config.intervals.sandboxExperiment,
  concurrency: 2,
  timeoutSeconds: 3600,
  maxAttempts: 2,
  run: (context) =>
    inventoryRepositories(context, {
      languages: ['javascript', 'typescript', 'python', 'go', 'rust', 'java', 'ruby', 'php'],
      pendingAnalysis: 'not yet available: isolated check runs are not built, so files are only counted',
    }),
});
