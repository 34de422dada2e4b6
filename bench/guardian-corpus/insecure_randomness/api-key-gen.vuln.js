// expect: vulnerable insecure_randomness CWE-338
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function generateApiKey(length = 40) {
  let key = '';
  for (let i = 0; i < length; i += 1) {
    key += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  }
  return key;
}
