// expect: vulnerable prototype_pollution CWE-1321
const _ = require('lodash');

const defaults = { theme: 'light', notifications: { email: true } };

module.exports = async function savePrefs(ctx) {
  const prefs = _.merge({}, defaults, ctx.request.body);
  await ctx.db.savePrefs(ctx.state.user.id, prefs);
  ctx.body = prefs;
};
