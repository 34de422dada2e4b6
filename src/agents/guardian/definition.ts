import { defineAgent } from '../../tasks/agent-definition.js';
import { repositoryInput } from '../../repositories/repository-inventory.js';
import { runGuardianScan } from '../../guardian/scan.js';

export const guardianAgent = defineAgent({
  type: 'guardian',
  description: 'Finds security problems in JavaScript, TypeScript and Python and proposes fixes.',
  inputSchema: repositoryInput,
  defaultIntervalSeconds: (config) => config.intervals.guardianScan,
  concurrency: 2,
  timeoutSeconds: 1800,
  maxAttempts: 3,
  run: runGuardianScan,
});
