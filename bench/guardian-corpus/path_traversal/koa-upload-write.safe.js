// expect: safe path_traversal CWE-22
const fs = require('fs');
const crypto = require('crypto');

module.exports = async function saveAvatar(ctx) {
  const { data } = ctx.request.body;
  const filename = crypto.randomUUID() + '.png';
  fs.writeFileSync('/srv/avatars/' + filename, Buffer.from(data, 'base64'));
  ctx.status = 201;
  ctx.body = { filename };
};
