// expect: safe permissive_cors CWE-942
const express = require('express');
const cors = require('cors');
const app = express();

app.use(cors({ origin: ['https://app.example.com'], credentials: true }));
app.get('/api/me', (req, res) => res.json(req.user));
