// A compute worker whose `analyze` and `fitAcceptanceModel` (the refit after a review) wait at a gate the
// test opens (or, for `spin-forever.js`, never end); otherwise the production worker entry. Tasks arrive as
// the pool's `{ id, input }` envelope.
// workerData.gate is an Int32Array's SharedArrayBuffer: [0] is 1 once open, [1] counts arrivals.
import { workerData } from 'node:worker_threads';
import * as tasks from '../../src/compute/compute-worker.js';

const gate = new Int32Array(workerData.gate);

export async function analyze(task) {
  if (task.input.filePath === 'spin-forever.js') {
    tasks.started(task);
    // Busy, never yielding: only terminating the thread ends it.
    for (;;);
  }
  Atomics.add(gate, 1, 1);
  Atomics.notify(gate, 1);
  // Blocks this worker thread (and only it) until the test opens the gate.
  Atomics.wait(gate, 0, 0);
  return tasks.analyze(task);
}

export async function fitAcceptanceModel(task) {
  // Its deadline runs from here: a test can stop a refit held at the gate by firing it.
  tasks.started(task);
  Atomics.add(gate, 1, 1);
  Atomics.notify(gate, 1);
  Atomics.wait(gate, 0, 0);
  return tasks.fitAcceptanceModel(task);
}

export const { optimize, diff, securityGate, ping } = tasks;
