// Re-export for src/server/ until its imports name overview-queries.ts (src/server/ is being reshaped in parallel).
export * from './overview-queries.js';
