// expect: safe insecure_cookie CWE-614
import type { Context } from 'koa';

export async function login(ctx: Context) {
  const token = await ctx.state.auth.issue(ctx.request.body);
  ctx.cookies.set('session', token, { httpOnly: true, secure: true, sameSite: 'lax' });
  ctx.status = 204;
}
