// Re-export for src/server/ until its imports name agent-analytics-queries.ts (src/server/ is being reshaped in parallel).
export * from './agent-analytics-queries.js';
