// expect: safe sql_injection CWE-89
import type { NextApiRequest, NextApiResponse } from 'next';
import sqlite3 from 'better-sqlite3';

const db = sqlite3('data/app.db');

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  const slug = req.query.slug as string;
  const post = db.prepare('SELECT * FROM posts WHERE slug = ?').get(slug);
  res.status(post ? 200 : 404).json(post ?? null);
}
