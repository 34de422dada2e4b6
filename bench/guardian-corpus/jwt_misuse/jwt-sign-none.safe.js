// expect: safe jwt_misuse CWE-347
import jwt from 'jsonwebtoken';

export function issueGuestToken(id) {
  return jwt.sign({ sub: id, role: 'guest' }, process.env.JWT_SECRET, { algorithm: 'HS256', expiresIn: '15m' });
}
