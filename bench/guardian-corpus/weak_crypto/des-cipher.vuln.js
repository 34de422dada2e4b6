// expect: vulnerable weak_crypto CWE-327
import crypto from 'crypto';

export function encryptToken(token, key) {
  const cipher = crypto.createCipheriv('des-ede3-cbc', key, Buffer.alloc(8));
  return Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]).toString('base64');
}
