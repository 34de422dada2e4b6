// The compute pool's worker entry (piscina loads it in each thread). The server's main thread runs
// TypeScript through tsx, but a worker thread starts without the main thread's loader hooks when tsx
// was registered by bin/lvlup.js (`register()`, not `--import tsx`); tsImport loads the task module
// through tsx either way, whether or not `--import tsx` was inherited through execArgv.
import { tsImport } from 'tsx/esm/api';

const tasks = await tsImport('./compute-tasks.ts', import.meta.url);

export const { analyze, optimize, diff, securityGate, ping } = tasks;
