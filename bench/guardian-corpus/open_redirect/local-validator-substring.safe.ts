// expect: safe open_redirect CWE-601
import express from 'express';

const app = express();
const TRUSTED_HOSTS = new Set(['docs.example.org', 'status.example.org']);

function isTrustedDestination(target: string): boolean {
  try {
    const parsed = new URL(target);
    return parsed.protocol === 'https:' && TRUSTED_HOSTS.has(parsed.hostname);
  } catch {
    return false;
  }
}

app.get('/leave', (req, res) => {
  const target = String(req.query.to ?? '');
  if (!isTrustedDestination(target)) {
    return res.status(400).send('Unknown destination');
  }
  return res.redirect(target);
});

export default app;
