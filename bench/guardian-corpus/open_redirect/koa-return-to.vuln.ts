// expect: vulnerable open_redirect CWE-601
import type { Context } from 'koa';

export async function logout(ctx: Context) {
  ctx.session = null;
  const returnTo = ctx.query.returnTo as string;
  ctx.redirect(returnTo || '/');
}
