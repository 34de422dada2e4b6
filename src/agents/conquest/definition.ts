import { defineAgent } from '../../tasks/agent-definition.js';
import { inventoryRepositories, repositoryInput } from '../../repositories/repository-inventory.js';

export const conquestAgent = defineAgent({
  type: 'conquest',
  description: 'Analyses repositories and projects to generate, build and deploy new apps.',
  inputSchema: repositoryInput,
  defaultIntervalSeconds: (config) => config.intervals.conquestAnalysis,
  concurrency: 1,
  timeoutSeconds: 3600,
  maxAttempts: 3,
  run: (context) =>
    inventoryRepositories(context, {
      languages: ['javascript', 'typescript', 'python', 'json', 'yaml', 'markdown'],
      pendingAnalysis: 'not yet available: project analysis is not built, so files are only counted',
    }),
});
