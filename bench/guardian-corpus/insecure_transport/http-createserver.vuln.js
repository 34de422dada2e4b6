// expect: vulnerable insecure_transport CWE-319
const http = require('http');
const app = require('./app');

http.createServer(app).listen(80, () => console.log('listening on :80'));
