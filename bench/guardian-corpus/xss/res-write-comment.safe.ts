// expect: safe xss CWE-79
import http from 'node:http';

http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ comment: url.searchParams.get('comment') }));
}).listen(8080);
