// expect: safe insecure_randomness CWE-338
import { randomInt } from 'node:crypto';
import type { Request, Response } from 'express';

export async function sendOtp(req: Request, res: Response) {
  const otp = String(randomInt(100000, 1000000));
  await req.app.locals.sms.send(req.body.phone, `Your code is ${otp}`);
  res.sendStatus(204);
}
