// expect: vulnerable code_injection CWE-95
import type { Request, Response } from 'express';

export function filterRows(req: Request, res: Response) {
  const predicate = new Function('row', 'return ' + req.body.where);
  res.json(req.body.rows.filter((row: unknown) => predicate(row)));
}
