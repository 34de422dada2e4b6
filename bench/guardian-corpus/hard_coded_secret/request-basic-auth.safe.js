// expect: safe hard_coded_secret CWE-798
// model: javascript/http-credentials.json
const request = require('request');
request.get('https://build.example.com/api/json').auth('deploy', process.env.BUILD_PASSWORD, true);
