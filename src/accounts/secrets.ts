import { createHash, randomBytes } from 'node:crypto';

/** A random secret with a readable prefix, e.g. `lvl_…` for API keys. */
export function generateSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/**
 * API keys and refresh tokens carry 256 random bits, so a single SHA-256 is enough to store them safely
 * (a slow KDF only matters for low-entropy secrets such as passwords) and lets us look them up by hash.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
