// expect: safe nosql_injection CWE-943
// model: javascript/mongoose.json
const express = require('express');
const Session = require('./models/session');
const app = express();
app.use(express.json());
app.post('/logout', async (req, res) => {
  await Session.findOneAndRemove({ token: String(req.body.token) });
  res.sendStatus(204);
});
