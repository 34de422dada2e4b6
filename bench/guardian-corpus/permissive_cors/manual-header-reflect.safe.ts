// expect: safe permissive_cors CWE-942
import type { Request, Response, NextFunction } from 'express';

const ALLOWED = new Set(['https://app.example.com', 'https://admin.example.com']);

export function corsMiddleware(req: Request, res: Response, next: NextFunction) {
  const origin = req.headers.origin;
  if (origin && ALLOWED.has(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
  }
  next();
}
