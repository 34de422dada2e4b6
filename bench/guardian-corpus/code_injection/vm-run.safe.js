// expect: safe code_injection CWE-95
const vm = require('vm');

module.exports = async (ctx) => {
  const sandbox = { total: 0, items: ctx.request.body.items };
  vm.runInNewContext('for (const i of items) total += i.price', sandbox);
  ctx.body = { total: sandbox.total };
};
