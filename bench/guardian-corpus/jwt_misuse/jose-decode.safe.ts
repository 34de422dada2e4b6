// expect: safe jwt_misuse CWE-347
import { jwtVerify } from 'jose';
import type { Request, Response, NextFunction } from 'express';

const key = new TextEncoder().encode(process.env.JWT_SECRET);

export async function requireAdmin(req: Request, res: Response, next: NextFunction) {
  const { payload } = await jwtVerify(req.headers.authorization!.slice(7), key, { algorithms: ['HS256'] });
  if (payload.role !== 'admin') return res.sendStatus(403);
  next();
}
