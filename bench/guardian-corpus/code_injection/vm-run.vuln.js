// expect: vulnerable code_injection CWE-95
const vm = require('vm');

module.exports = async (ctx) => {
  const sandbox = { total: 0 };
  vm.runInNewContext(ctx.request.body.script, sandbox);
  ctx.body = { total: sandbox.total };
};
