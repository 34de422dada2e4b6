// expect: vulnerable sql_injection CWE-89
import Router from '@koa/router';
import { db } from '../db.js';

const router = new Router();
router.get('/orders', async (ctx) => {
  const column = ctx.query.sort || 'created_at';
  const orders = await db.query('SELECT * FROM orders WHERE customer_id = $1 ORDER BY ' + column, [ctx.state.user.id]);
  ctx.body = orders.rows;
});
export default router;
