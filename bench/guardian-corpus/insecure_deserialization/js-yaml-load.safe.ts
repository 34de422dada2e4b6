// expect: safe insecure_deserialization CWE-502
import yaml from 'js-yaml';
import type { Request, Response } from 'express';

export function importConfig(req: Request, res: Response) {
  const config = yaml.load(req.body.yaml, { schema: yaml.JSON_SCHEMA });
  res.json(config);
}
