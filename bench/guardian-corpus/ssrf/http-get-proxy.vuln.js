// expect: vulnerable ssrf CWE-918
const http = require('http');

module.exports = (ctx) =>
  new Promise((resolve) => {
    http.get('http://' + ctx.query.host + '/status', (upstream) => {
      ctx.status = upstream.statusCode;
      resolve();
    });
  });
