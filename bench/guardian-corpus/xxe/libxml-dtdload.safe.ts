// expect: safe xxe CWE-611
import { XMLParser } from 'fast-xml-parser';
import type { Request, Response } from 'express';

export function uploadSitemap(req: Request, res: Response) {
  const doc = new XMLParser({ processEntities: false }).parse(req.body);
  res.json({ urls: doc.urlset?.url?.length ?? 0 });
}
