// expect: vulnerable command_injection CWE-78
const { exec } = require('child_process');
const childProcess = require('child_process');

module.exports = function thumbnail(req, res) {
  childProcess.exec(`convert ${req.query.file} -resize 128x128 thumb.png`, (error) => {
    res.sendStatus(error ? 500 : 201);
  });
};
