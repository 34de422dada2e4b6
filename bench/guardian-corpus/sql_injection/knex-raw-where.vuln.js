// expect: vulnerable sql_injection CWE-89
const knex = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL });

exports.handler = async (event) => {
  const email = event.queryStringParameters.email;
  const user = await knex('accounts').whereRaw(`lower(email) = lower('${email}')`).first();
  return { statusCode: user ? 200 : 404, body: JSON.stringify(user ?? {}) };
};
