// expect: vulnerable ssrf CWE-918
import axios from 'axios';
import type { Request, Response } from 'express';

export async function testWebhook(req: Request, res: Response) {
  const { callbackUrl } = req.body;
  const result = await axios.post(callbackUrl, { event: 'ping' });
  res.json({ status: result.status });
}
