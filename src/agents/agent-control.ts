// Re-export for src/server/ until its imports name agent-control-store.ts (src/server/ is being reshaped in parallel).
export * from './agent-control-store.js';
