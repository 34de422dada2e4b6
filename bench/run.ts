// `npm run bench`: every benchmark, each printing a table and writing JSON to bench/results/.
import { benchAcceptanceModel } from './acceptance-model.js';
import { benchDashboard } from './dashboard.js';
import { benchGuardianQuality } from './guardian-quality.js';
import { benchCompute } from './http-compute.js';
import { benchGuardianSpeed } from './guardian-speed.js';
import { benchHealth } from './http-health.js';
import { benchProposals } from './http-proposals.js';
import { benchProjects } from './projects.js';
import { benchSandboxOverhead } from './sandbox-overhead.js';
import { benchSeedsStack } from './seeds-stack.js';
import { benchStatements } from './statements.js';
import { benchTasks } from './tasks.js';

const selected = process.argv.slice(2);
const benches: Record<string, () => Promise<void>> = {
  'acceptance-model': benchAcceptanceModel,
  dashboard: benchDashboard,
  'guardian-quality': benchGuardianQuality,
  'guardian-speed': benchGuardianSpeed,
  'http-compute': benchCompute,
  'http-health': benchHealth,
  'http-proposals': benchProposals,
  projects: benchProjects,
  'sandbox-overhead': benchSandboxOverhead,
  'seeds-stack': benchSeedsStack,
  statements: benchStatements,
  tasks: benchTasks,
};
for (const [name, run] of Object.entries(benches)) {
  if (selected.length === 0 || selected.includes(name)) await run();
}
