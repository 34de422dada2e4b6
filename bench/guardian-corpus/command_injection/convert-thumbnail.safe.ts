// expect: safe command_injection CWE-78
import { execFileSync } from 'node:child_process';
import type { Request, Response } from 'express';

export function thumbnail(req: Request, res: Response) {
  const name = String(req.body.filename);
  execFileSync('convert', [`uploads/${name}`, '-resize', '200x200', `thumbs/${name}`]);
  res.json({ ok: true });
}
