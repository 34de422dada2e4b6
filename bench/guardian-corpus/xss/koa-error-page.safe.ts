// expect: safe xss CWE-79
import type { Context } from 'koa';
import escape from 'escape-html';

export async function notFound(ctx: Context) {
  ctx.status = 404;
  ctx.type = 'html';
  ctx.body = `<p>Page ${escape(String(ctx.query.page))} was not found</p><a href="/">home</a>`;
}
