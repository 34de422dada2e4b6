// expect: safe nosql_injection CWE-943
const express = require('express');
const User = require('../models/user');
const app = express();
app.use(express.json());

app.post('/api/login', async (req, res) => {
  const username = String(req.body.username);
  const password = String(req.body.password);
  const user = await User.findOne({ username: username, password: password });
  if (!user) return res.sendStatus(401);
  res.json({ id: user.id });
});
