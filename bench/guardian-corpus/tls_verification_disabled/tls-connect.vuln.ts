// expect: vulnerable tls_verification_disabled CWE-295
import tls from 'node:tls';

export function connectBroker(host: string) {
  return tls.connect({ host, port: 8883, rejectUnauthorized: false });
}
