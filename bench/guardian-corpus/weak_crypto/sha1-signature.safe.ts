// expect: safe weak_crypto CWE-327
import { createHmac } from 'node:crypto';

export function signPayload(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}
