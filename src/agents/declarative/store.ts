// Re-export for src/server/ until its imports name declarative-agent-store.ts (src/server/ is being reshaped in parallel).
export * from './declarative-agent-store.js';
