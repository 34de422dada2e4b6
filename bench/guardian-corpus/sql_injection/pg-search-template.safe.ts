// expect: safe sql_injection CWE-89
import type { Request, Response } from 'express';
import { Pool } from 'pg';

const db = new Pool();

export async function searchProducts(req: Request, res: Response) {
  const term = String(req.query.q ?? '');
  const { rows } = await db.query('SELECT * FROM products WHERE title ILIKE $1 ORDER BY id LIMIT 50', [`%${term}%`]);
  res.json(rows);
}
