// expect: vulnerable jwt_misuse CWE-347
import { decodeJwt } from 'jose';
import type { Request, Response, NextFunction } from 'express';

export function requireAdmin(req: Request, res: Response, next: NextFunction) {
  const claims = decodeJwt(req.headers.authorization!.slice(7));
  if (claims.role !== 'admin') return res.sendStatus(403);
  next();
}
