// expect: vulnerable insecure_cookie CWE-614
import type { Context } from 'koa';

export async function login(ctx: Context) {
  const token = await ctx.state.auth.issue(ctx.request.body);
  ctx.cookies.set('session', token, { httpOnly: false, secure: false });
  ctx.status = 204;
}
