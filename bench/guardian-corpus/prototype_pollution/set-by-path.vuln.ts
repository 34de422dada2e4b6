// expect: vulnerable prototype_pollution CWE-1321
import type { Request, Response } from 'express';

const config: Record<string, any> = {};

export function updateSetting(req: Request, res: Response) {
  const parts = String(req.body.path).split('.');
  let node = config;
  for (const part of parts.slice(0, -1)) node = node[part] ??= {};
  node[parts[parts.length - 1]] = req.body.value;
  res.json(config);
}
