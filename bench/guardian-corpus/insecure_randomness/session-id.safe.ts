// expect: safe insecure_randomness CWE-338
import { randomUUID } from 'node:crypto';

export function newSessionId(): string {
  return randomUUID();
}
