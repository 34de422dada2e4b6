// expect: safe redos CWE-1333
const EMAIL = /^[a-zA-Z0-9_.-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*\.[a-zA-Z]{2,24}$/;

module.exports = (req, res) => {
  res.json({ valid: EMAIL.test(String(req.body.email).slice(0, 254)) });
};
