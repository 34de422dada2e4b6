// expect: vulnerable jwt_misuse CWE-347
const jwt = require('jsonwebtoken');

module.exports = function auth(req, res, next) {
  const token = (req.headers.authorization || '').replace('Bearer ', '');
  const claims = jwt.decode(token);
  if (!claims) return res.sendStatus(401);
  req.user = claims;
  next();
};
