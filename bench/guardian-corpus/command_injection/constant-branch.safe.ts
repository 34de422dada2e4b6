// expect: safe command_injection CWE-78
import { execSync } from 'node:child_process';
import type { Request, Response } from 'express';

const VERBOSE = 'no';

export function listing(req: Request, res: Response) {
  let command = 'ls -l /srv/public';
  if (VERBOSE === 'yes') command = `ls -la /srv/public/${req.query.dir}`;
  res.type('text/plain').send(execSync(command));
}
