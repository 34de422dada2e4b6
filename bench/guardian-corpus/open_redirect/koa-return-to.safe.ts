// expect: safe open_redirect CWE-601
import type { Context } from 'koa';

const DESTINATIONS: Record<string, string> = { home: '/', docs: '/docs' };

export async function logout(ctx: Context) {
  ctx.session = null;
  const returnTo = DESTINATIONS[ctx.query.returnTo as string] ?? '/';
  ctx.redirect(returnTo);
}
