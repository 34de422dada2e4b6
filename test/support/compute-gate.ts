import { createComputePool, type ComputePoolOptions } from '../../src/compute/compute-pool.js';
import type { Compute } from '../../src/compute/compute.js';

/** A real compute pool whose analyses and model fits wait at a gate until the test opens it. */
export interface GatedCompute {
  readonly compute: Compute;
  /** resolves once `count` analyses or fits have reached the gate (each is then running in its worker thread) */
  arrived(count: number): Promise<void>;
  open(): void;
  /** errors the pool reported outside any task */
  readonly errors: unknown[];
}

/**
 * Its worker also knows a task only tests have: analysing a file named `spin-forever.js` starts (the pool's
 * deadline runs from then) and never ends, like a pathological input, until its thread is terminated.
 */
export function gatedComputePool(options: {
  size: number;
  maxQueue: number;
  taskTimeoutMs?: number;
  startTimer?: ComputePoolOptions['startTimer'];
}): GatedCompute {
  const gate = new Int32Array(new SharedArrayBuffer(8));
  const errors: unknown[] = [];
  // Atomics.waitAsync is in Node 20, not yet in the ES2023 library types.
  const atomics = Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number): { async: boolean; value: Promise<string> | string };
  };
  return {
    errors,
    compute: createComputePool({
      taskTimeoutMs: 60_000,
      ...options,
      onError: (error) => errors.push(error),
      workerFile: new URL('./gated-compute-worker.js', import.meta.url),
      workerData: { gate: gate.buffer },
    }),
    async arrived(count) {
      for (let seen = Atomics.load(gate, 1); seen < count; seen = Atomics.load(gate, 1)) {
        const waiting = atomics.waitAsync(gate, 1, seen);
        if (waiting.async) await waiting.value;
      }
    },
    open() {
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
    },
  };
}

/** A deadline timer the test fires itself: no task's fate depends on how fast the machine is. */
export function manualTimer() {
  const pending = new Set<() => void>();
  let onStart: (() => void) | undefined;
  return {
    startTimer(onTimeout: () => void, _ms: number) {
      pending.add(onTimeout);
      onStart?.();
      return () => void pending.delete(onTimeout);
    },
    /** resolves once `count` deadlines run (their tasks started on a thread and did not end) */
    async running(count: number) {
      while (pending.size < count) await new Promise<void>((resolve) => (onStart = resolve));
    },
    fire() {
      for (const onTimeout of pending) onTimeout();
      pending.clear();
    },
    get size() {
      return pending.size;
    },
  };
}
