import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The web dashboard's sign-in: its refresh token lives in an httpOnly, SameSite=Strict cookie that page
 * scripts cannot read, scoped to the web auth routes; the access token stays in the page's memory.
 */
export const REFRESH_COOKIE = 'lvlup_refresh';
export const REFRESH_COOKIE_PATH = '/api/v1/auth/web';
/**
 * The CSRF token the page echoes in a header on every cookie-authenticated call: a readable cookie
 * (SameSite=Strict, so other sites never send it, and another origin cannot read it) whose value is an
 * HMAC of the refresh token under the server's signing key. A forged request carries the refresh cookie
 * but cannot know the HMAC, and the token changes with every rotation.
 */
export const CSRF_COOKIE = 'lvlup_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export function csrfTokenFor(signingKey: Uint8Array, refreshToken: string): string {
  return createHmac('sha256', signingKey).update(`lvlup-csrf:${refreshToken}`).digest('base64url');
}

/** Whether `presented` is the CSRF token of `refreshToken`, compared in constant time. */
export function csrfTokenMatches(signingKey: Uint8Array, refreshToken: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(csrfTokenFor(signingKey, refreshToken));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
