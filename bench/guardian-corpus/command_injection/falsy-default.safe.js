// expect: safe command_injection CWE-78
const { exec } = require('child_process');

module.exports = function ping(req, res) {
  let host = req.query.host;
  if (!/^[a-z0-9.-]+$/i.test(host)) host = 'localhost';
  exec('ping -c 1 ' + host, (error, stdout) => res.type('text/plain').send(stdout));
};
