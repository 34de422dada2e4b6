// Re-export for src/server/ until its imports name audit-store.ts (src/server/ is being reshaped in parallel).
export * from './audit-store.js';
