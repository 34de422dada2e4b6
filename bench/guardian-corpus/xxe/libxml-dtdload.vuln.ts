// expect: vulnerable xxe CWE-611
import { parseXml } from 'libxmljs2';
import type { Request, Response } from 'express';

export function uploadSitemap(req: Request, res: Response) {
  const doc = parseXml(req.body, { dtdload: true, noent: true });
  res.json({ urls: doc.find('//url').length });
}
