// expect: vulnerable permissive_cors CWE-942
module.exports = async function cors(ctx, next) {
  ctx.set('Access-Control-Allow-Origin', '*');
  ctx.set('Access-Control-Allow-Credentials', 'true');
  await next();
};
