// expect: vulnerable jwt_misuse CWE-347
import jwt from 'jsonwebtoken';

export function issueGuestToken(id) {
  return jwt.sign({ sub: id, role: 'guest' }, '', { algorithm: 'none' });
}
