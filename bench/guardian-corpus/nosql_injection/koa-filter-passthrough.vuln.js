// expect: vulnerable nosql_injection CWE-943
const Router = require('@koa/router');
const { Product } = require('../models');

const router = new Router();
router.post('/products/search', async (ctx) => {
  const filter = ctx.request.body.filter;
  ctx.body = await Product.find(filter).limit(100);
});
module.exports = router;
