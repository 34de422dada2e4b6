// expect: vulnerable path_traversal CWE-22
import fs from 'fs/promises';
import path from 'path';

export async function deleteAttachment(req, res) {
  await fs.unlink(path.resolve('storage', req.body.path));
  res.status(204).end();
}
