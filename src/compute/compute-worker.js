// The compute pool's worker entry (piscina loads it in each thread). Built, it sits beside compute-tasks.js in
// dist/ and imports it. Run from the TypeScript sources, there is no compute-tasks.js beside it, and a worker
// thread starts without the main thread's loader hooks when tsx was registered by bin/lvlup.js (`register()`,
// not `--import tsx`); tsImport loads the task module through tsx either way, whether or not `--import tsx`
// was inherited through execArgv.
import { existsSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

const compiled = new URL('./compute-tasks.js', import.meta.url);
const tasks = existsSync(compiled)
  ? await import(compiled.href)
  : await (await import('tsx/esm/api')).tsImport('./compute-tasks.ts', import.meta.url);

/**
 * Tells the pool that the task `{ id, input }` starts on this thread (its deadline runs from here, so
 * waiting for a thread does not count) and answers its input.
 */
export function started(envelope) {
  parentPort?.postMessage({ computeTaskStarted: envelope.id });
  return envelope.input;
}

const announced = (run) => (envelope) => run(started(envelope));

export const analyze = announced(tasks.analyze);
export const optimize = announced(tasks.optimize);
export const diff = announced(tasks.diff);
export const securityGate = announced(tasks.securityGate);
export const fitAcceptanceModel = announced(tasks.fitAcceptanceModel);
export const { ping } = tasks;
