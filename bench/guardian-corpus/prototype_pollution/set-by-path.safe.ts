// expect: safe prototype_pollution CWE-1321
import type { Request, Response } from 'express';

const config = new Map<string, unknown>();

export function updateSetting(req: Request, res: Response) {
  config.set(String(req.body.path), req.body.value);
  res.json(Object.fromEntries(config));
}
