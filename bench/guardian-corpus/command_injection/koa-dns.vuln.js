// expect: vulnerable command_injection CWE-78
const util = require('util');
const cp = require('child_process');
const run = util.promisify(cp.exec);

module.exports = async function lookup(ctx) {
  const domain = ctx.query.domain;
  const { stdout } = await run('nslookup ' + domain);
  ctx.body = stdout;
};
