// Re-export for src/server/ until its imports name event-store.ts (src/server/ is being reshaped in parallel).
export * from './event-store.js';
