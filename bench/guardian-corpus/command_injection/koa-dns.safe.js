// expect: safe command_injection CWE-78
const util = require('util');
const cp = require('child_process');
const run = util.promisify(cp.exec);

module.exports = async function lookup(ctx) {
  const { stdout } = await run('nslookup example.com');
  ctx.body = stdout;
};
