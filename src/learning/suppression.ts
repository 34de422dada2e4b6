// Re-export for src/server/ and src/proposals/ until their imports name suppression-store.ts (both are being reshaped in parallel).
export * from './suppression-store.js';
