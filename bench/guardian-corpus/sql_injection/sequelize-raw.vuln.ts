// expect: vulnerable sql_injection CWE-89
import { Router } from 'express';
import { sequelize } from '../models';

export const reports = Router();

reports.post('/reports/revenue', async (req, res) => {
  const { from, to } = req.body;
  const rows = await sequelize.query(
    `SELECT date_trunc('day', paid_at) AS day, sum(amount) FROM payments WHERE paid_at BETWEEN '${from}' AND '${to}' GROUP BY 1`,
  );
  res.json(rows);
});
