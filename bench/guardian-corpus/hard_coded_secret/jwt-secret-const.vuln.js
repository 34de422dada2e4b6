// expect: vulnerable hard_coded_secret CWE-798
import jwt from 'jsonwebtoken';

const JWT_SECRET = 'b7f3e9a1c5d24f8e9a6b0c3d7e1f2a4b';

export function issue(userId) {
  return jwt.sign({ sub: userId }, JWT_SECRET, { expiresIn: '1h' });
}
