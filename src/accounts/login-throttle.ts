// Re-export for src/server/ until its imports name login-throttle-store.ts (src/server/ is being reshaped in parallel).
export * from './login-throttle-store.js';
