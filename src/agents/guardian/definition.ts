import { defineAgent } from '../definition.js';
import { inventoryRepositories, repositoryInput } from '../repository-inventory.js';

export const guardianAgent = defineAgent({
  type: 'guardian',
  description: 'Finds security problems in JavaScript, TypeScript and Python and proposes fixes.',
  inputSchema: repositoryInput,
  defaultIntervalSeconds: (config) => config.intervals.guardianScan,
  concurrency: 2,
  timeoutSeconds: 1800,
  maxAttempts: 3,
  run: (context) =>
    inventoryRepositories(context, {
      languages: ['javascript', 'typescript', 'python'],
      pendingAnalysis: 'not yet available: the security analyzer is not built, so files are only counted',
    }),
});
