/** How long a sandbox task may take at most, and how often it is tried. */
export const SANDBOX_TASK = { timeoutSeconds: 3600, maxAttempts: 2 } as const;
