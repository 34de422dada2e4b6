// expect: safe insecure_deserialization CWE-502
module.exports = function restore(ctx) {
  const state = JSON.parse(ctx.request.body.state);
  ctx.body = { restored: Object.keys(state).length };
};
