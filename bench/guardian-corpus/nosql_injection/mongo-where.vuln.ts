// expect: vulnerable nosql_injection CWE-943
import { Router } from 'express';
import { getDb } from '../mongo';

export const router = Router();

router.get('/invoices', async (req, res) => {
  const min = req.query.min;
  const docs = await getDb().collection('invoices').find({ $where: 'this.total > ' + min }).toArray();
  res.json(docs);
});
