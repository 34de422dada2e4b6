// expect: safe ssrf CWE-918
import axios from 'axios';
import type { Request, Response } from 'express';

const HOOK_ENDPOINT = 'https://hooks.example.com/ping';

export async function testWebhook(req: Request, res: Response) {
  const result = await axios.post(HOOK_ENDPOINT, { event: 'ping', from: req.body.name });
  res.json({ status: result.status });
}
