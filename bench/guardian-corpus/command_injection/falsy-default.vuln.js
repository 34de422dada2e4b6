// expect: vulnerable command_injection CWE-78
const { exec } = require('child_process');

module.exports = function ping(req, res) {
  let host = req.query.host;
  if (!host) host = 'localhost';
  exec('ping -c 1 ' + host, (error, stdout) => res.type('text/plain').send(stdout));
};
