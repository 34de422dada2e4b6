// expect: safe weak_crypto CWE-327
import * as crypto from 'crypto';

export class FieldEncryptor {
  constructor(private readonly key: Buffer) {}

  encrypt(value: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const data = cipher.update(value, 'utf8', 'hex') + cipher.final('hex');
    return iv.toString('hex') + cipher.getAuthTag().toString('hex') + data;
  }
}
