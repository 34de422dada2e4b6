// expect: vulnerable command_injection CWE-78
import { execSync } from 'node:child_process';
import type { Request, Response } from 'express';

export function thumbnail(req: Request, res: Response) {
  const name = req.body.filename;
  execSync('convert uploads/' + name + ' -resize 200x200 thumbs/' + name);
  res.json({ ok: true });
}
