// expect: vulnerable permissive_cors CWE-942
const http = require('http');

http
  .createServer((req, res) => {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Access-Control-Allow-Origin': req.headers.origin,
      'Access-Control-Allow-Credentials': 'true',
    });
    res.end(JSON.stringify({ ok: true }));
  })
  .listen(8080);
