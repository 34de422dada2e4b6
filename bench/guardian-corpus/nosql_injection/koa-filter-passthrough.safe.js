// expect: safe nosql_injection CWE-943
const Router = require('@koa/router');
const { Product } = require('../models');

const router = new Router();
router.post('/products/search', async (ctx) => {
  const category = String(ctx.request.body.category || '');
  ctx.body = await Product.find({ category: category }).limit(100);
});
module.exports = router;
