// expect: vulnerable insecure_randomness CWE-338
import type { Request, Response } from 'express';

export async function sendOtp(req: Request, res: Response) {
  const otp = String(Math.floor(100000 + Math.random() * 900000));
  await req.app.locals.sms.send(req.body.phone, `Your code is ${otp}`);
  res.sendStatus(204);
}
