// expect: safe command_injection CWE-78
const childProcess = require('child_process');

module.exports = function thumbnail(req, res) {
  childProcess.execFile('convert', [String(req.query.file), '-resize', '128x128', 'thumb.png'], (error) => {
    res.sendStatus(error ? 500 : 201);
  });
};
