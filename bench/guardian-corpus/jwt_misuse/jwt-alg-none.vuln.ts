// expect: vulnerable jwt_misuse CWE-347
import jwt from 'jsonwebtoken';

export function verifyToken(token: string, key: string) {
  return jwt.verify(token, key, { algorithms: ['none', 'HS256'] });
}
