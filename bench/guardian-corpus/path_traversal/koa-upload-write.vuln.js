// expect: vulnerable path_traversal CWE-22
const fs = require('fs');

module.exports = async function saveAvatar(ctx) {
  const { filename, data } = ctx.request.body;
  fs.writeFileSync('/srv/avatars/' + filename, Buffer.from(data, 'base64'));
  ctx.status = 201;
};
