// expect: safe open_redirect CWE-601
const http = require('http');

http.createServer((req, res) => {
  res.writeHead(302, { Location: '/welcome' });
  res.end();
}).listen(3000);
