// expect: vulnerable xss CWE-79
import type { Context } from 'koa';

export async function notFound(ctx: Context) {
  ctx.status = 404;
  ctx.type = 'html';
  ctx.body = `<p>Page ${ctx.query.page} was not found</p><a href="/">home</a>`;
}
