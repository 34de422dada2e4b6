// expect: safe insecure_transport CWE-319
const https = require('https');
const fs = require('fs');
const app = require('./app');

https
  .createServer({ key: fs.readFileSync('tls/key.pem'), cert: fs.readFileSync('tls/cert.pem') }, app)
  .listen(443, () => console.log('listening on :443'));
