// expect: vulnerable xss CWE-79
import http from 'node:http';

http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  res.writeHead(200, { 'Content-Type': 'text/html' });
  res.end('<p>Your comment: ' + url.searchParams.get('comment') + '</p>');
}).listen(8080);
