// expect: safe code_injection CWE-95
import type { Request, Response } from 'express';

export function filterRows(req: Request, res: Response) {
  const field = String(req.body.field);
  const value = req.body.value;
  res.json(req.body.rows.filter((row: Record<string, unknown>) => row[field] === value));
}
