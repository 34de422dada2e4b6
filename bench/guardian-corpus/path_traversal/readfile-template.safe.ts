// expect: safe path_traversal CWE-22
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { NextApiRequest, NextApiResponse } from 'next';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const name = path.basename(String(req.query.name));
  const template = await readFile(path.join('./templates', `${name}.html`), 'utf8');
  res.setHeader('Content-Type', 'text/plain');
  res.send(template);
}
