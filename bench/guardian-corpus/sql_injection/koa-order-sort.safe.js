// expect: safe sql_injection CWE-89
import Router from '@koa/router';
import { db } from '../db.js';

const SORTABLE = { created: 'created_at', total: 'total_cents' };
const router = new Router();
router.get('/orders', async (ctx) => {
  const column = SORTABLE[ctx.query.sort] ? SORTABLE[ctx.query.sort] : 'created_at';
  const orders = await db.query(`SELECT * FROM orders WHERE customer_id = $1 ORDER BY ${column === 'total_cents' ? 'total_cents' : 'created_at'}`, [ctx.state.user.id]);
  ctx.body = orders.rows;
});
export default router;
