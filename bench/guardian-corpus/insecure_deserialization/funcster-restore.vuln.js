// expect: vulnerable insecure_deserialization CWE-502
const funcster = require('funcster');

module.exports = function restore(ctx) {
  const state = funcster.deepDeserialize(JSON.parse(ctx.request.body.state));
  ctx.body = { restored: Object.keys(state).length };
};
