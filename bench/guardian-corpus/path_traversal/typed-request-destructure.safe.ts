// expect: safe path_traversal CWE-22
import path from 'node:path';
import type { Request, Response } from 'express';

const DOWNLOADS = path.resolve('downloads');

export function download({ params }: Request, res: Response) {
  const name = path.basename(params.name);
  res.sendFile(path.join(DOWNLOADS, name));
}
