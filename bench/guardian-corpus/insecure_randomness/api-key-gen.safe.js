// expect: safe insecure_randomness CWE-338
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function generateApiKey(length = 40) {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let key = '';
  for (let i = 0; i < length; i += 1) {
    key += ALPHABET[bytes[i] % ALPHABET.length];
  }
  return key;
}
