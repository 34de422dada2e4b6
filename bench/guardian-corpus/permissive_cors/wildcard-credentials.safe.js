// expect: safe permissive_cors CWE-942
module.exports = async function cors(ctx, next) {
  ctx.set('Access-Control-Allow-Origin', 'https://app.example.com');
  ctx.set('Access-Control-Allow-Credentials', 'true');
  await next();
};
