// expect: vulnerable path_traversal CWE-22
import { readFile } from 'node:fs/promises';
import type { NextApiRequest, NextApiResponse } from 'next';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const template = await readFile(`./templates/${req.query.name}.html`, 'utf8');
  res.setHeader('Content-Type', 'text/plain');
  res.send(template);
}
