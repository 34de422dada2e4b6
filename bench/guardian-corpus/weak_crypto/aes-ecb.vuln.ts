// expect: vulnerable weak_crypto CWE-327
import * as crypto from 'crypto';

export class FieldEncryptor {
  constructor(private readonly key: Buffer) {}

  encrypt(value: string): string {
    const cipher = crypto.createCipheriv('aes-128-ecb', this.key, null);
    return cipher.update(value, 'utf8', 'hex') + cipher.final('hex');
  }
}
