// expect: vulnerable tls_verification_disabled CWE-295
const https = require('https');
const axios = require('axios');

const client = axios.create({
  baseURL: 'https://payments.partner.example',
  httpsAgent: new https.Agent({ rejectUnauthorized: false }),
});
module.exports = client;
