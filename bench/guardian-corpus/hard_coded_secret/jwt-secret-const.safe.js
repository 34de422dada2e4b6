// expect: safe hard_coded_secret CWE-798
import jwt from 'jsonwebtoken';

const JWT_SECRET = process.env.JWT_SECRET;

export function issue(userId) {
  return jwt.sign({ sub: userId }, JWT_SECRET, { expiresIn: '1h' });
}
