// expect: vulnerable sql_injection CWE-89
import type { Request, Response } from 'express';
import { Pool } from 'pg';

const db = new Pool();

export async function searchProducts(req: Request, res: Response) {
  const term = String(req.query.q ?? '');
  const { rows } = await db.query(`SELECT * FROM products WHERE title ILIKE '%${term}%' ORDER BY id LIMIT 50`);
  res.json(rows);
}
