// expect: safe nosql_injection CWE-943
import { Router } from 'express';
import { getDb } from '../mongo';

export const router = Router();

router.get('/invoices', async (req, res) => {
  const min = Number(req.query.min);
  const docs = await getDb().collection('invoices').find({ total: { $gt: min } }).toArray();
  res.json(docs);
});
