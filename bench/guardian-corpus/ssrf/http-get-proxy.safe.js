// expect: safe ssrf CWE-918
const http = require('http');

module.exports = (ctx) =>
  new Promise((resolve) => {
    http.get('http://status.internal.example/status', (upstream) => {
      ctx.status = upstream.statusCode;
      resolve();
    });
  });
