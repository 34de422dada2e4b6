// expect: safe sql_injection CWE-89
const express = require('express');
const mysql = require('mysql2');
const pool = mysql.createPool({ host: 'db', user: 'app', database: 'shop' });
const router = express.Router();

router.get('/users/:id', (req, res) => {
  const sql = 'SELECT id, name, email FROM users WHERE id = ?';
  pool.query(sql, [req.params.id], (err, rows) => {
    if (err) return res.status(500).end();
    res.json(rows[0]);
  });
});
module.exports = router;
