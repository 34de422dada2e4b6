// expect: safe xxe CWE-611
import type { Context } from 'koa';
import libxml from 'libxmljs2';

export async function importCatalog(ctx: Context) {
  const xml = String(ctx.request.body);
  const doc = libxml.parseXmlString(xml, { nonet: true });
  ctx.body = { products: doc.find('//product').length };
}
