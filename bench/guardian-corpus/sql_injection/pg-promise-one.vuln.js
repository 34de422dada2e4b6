// expect: vulnerable sql_injection CWE-89
// model: javascript/pg-promise.json
const pgp = require('pg-promise')();
const express = require('express');
const db = pgp(process.env.DATABASE_URL);
const app = express();
app.get('/users/:id', async (req, res) => {
  res.json(await db.one('SELECT * FROM users WHERE id = ' + req.params.id));
});
