// Re-export for src/server/ until its imports name user-store.ts (src/server/ is being reshaped in parallel).
export * from './user-store.js';
