// expect: safe tls_verification_disabled CWE-295
const https = require('https');
const fs = require('fs');
const axios = require('axios');

const client = axios.create({
  baseURL: 'https://payments.partner.example',
  httpsAgent: new https.Agent({ ca: fs.readFileSync('/etc/ssl/partner-ca.pem') }),
});
module.exports = client;
