// expect: safe path_traversal CWE-22
import fs from 'fs/promises';
import path from 'path';

const STORAGE = path.resolve('storage');

export async function deleteAttachment(req, res) {
  const target = path.resolve(STORAGE, req.body.path);
  if (path.relative(STORAGE, target).startsWith('..')) return res.status(400).end();
  await fs.unlink(target);
  res.status(204).end();
}
