// expect: safe sql_injection CWE-89
const { Client } = require('pg');

exports.handler = async (event, context) => {
  const client = new Client();
  await client.connect();
  const { rows } = await client.query('SELECT * FROM reports WHERE owner = $1', [event.arguments.owner]);
  await client.end();
  return { statusCode: 200, body: JSON.stringify(rows) };
};
