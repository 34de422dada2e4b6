// expect: safe prototype_pollution CWE-1321
const _ = require('lodash');

const defaults = { theme: 'light', notifications: { email: true } };

module.exports = async function savePrefs(ctx) {
  const body = ctx.request.body;
  const prefs = _.merge({}, defaults, _.pick(body, ['theme', 'notifications.email']));
  await ctx.db.savePrefs(ctx.state.user.id, prefs);
  ctx.body = prefs;
};
