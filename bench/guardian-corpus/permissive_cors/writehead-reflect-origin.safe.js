// expect: safe permissive_cors CWE-942
const http = require('http');

const TRUSTED = ['https://shop.example.org'];

http
  .createServer((req, res) => {
    const requested = req.headers.origin;
    const origin = TRUSTED.includes(requested) ? requested : TRUSTED[0];
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
    });
    res.end(JSON.stringify({ ok: true }));
  })
  .listen(8080);
