// expect: vulnerable hard_coded_secret CWE-798
import { createHmac, timingSafeEqual } from 'node:crypto';

const WEBHOOK_KEY = 'orders-hook';

export function signatureMatches(body: string, signature: string): boolean {
  const expected = createHmac('sha256', WEBHOOK_KEY).update(body).digest();
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
