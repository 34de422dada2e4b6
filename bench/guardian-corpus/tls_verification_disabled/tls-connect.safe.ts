// expect: safe tls_verification_disabled CWE-295
import tls from 'node:tls';
import { readFileSync } from 'node:fs';

export function connectBroker(host: string) {
  return tls.connect({ host, port: 8883, ca: readFileSync('broker-ca.pem'), servername: host });
}
