// Re-export for src/server/ until its imports name proposal-analytics-queries.ts (src/server/ is being reshaped in parallel).
export * from './proposal-analytics-queries.js';
