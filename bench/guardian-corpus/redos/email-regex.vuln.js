// expect: vulnerable redos CWE-1333
const EMAIL = /^([a-zA-Z0-9_\.\-])+@(([a-zA-Z0-9\-])+\.)+([a-zA-Z0-9]{2,4})+$/;

module.exports = (req, res) => {
  res.json({ valid: EMAIL.test(req.body.email) });
};
