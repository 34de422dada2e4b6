// expect: vulnerable open_redirect CWE-601
import express from 'express';

const app = express();
const TRUSTED_SITES = ['https://docs.example.org', 'https://status.example.org'];

function isTrustedDestination(target: string): boolean {
  return TRUSTED_SITES.some((site) => target.includes(site));
}

app.get('/leave', (req, res) => {
  const target = String(req.query.to ?? '');
  if (!isTrustedDestination(target)) {
    return res.status(400).send('Unknown destination');
  }
  return res.redirect(target);
});

export default app;
