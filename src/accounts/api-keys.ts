// Re-export for src/server/ until its imports name api-key-store.ts (src/server/ is being reshaped in parallel).
export * from './api-key-store.js';
