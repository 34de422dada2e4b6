import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCode } from '../analyze.js';
import type { Finding, TextEdit } from '../finding.js';
import type { Language } from '../../languages.js';
import { hasNestedQuantifier } from './redos.js';
import { JAVASCRIPT_RULES } from './index.js';

async function scan(code: string, language: Language = 'javascript'): Promise<Finding[]> {
  return analyzeCode(
    { code, filePath: `app.${language === 'tsx' ? 'tsx' : language === 'typescript' ? 'ts' : 'js'}`, language },
    JAVASCRIPT_RULES,
  );
}

const brief = (findings: Finding[]) => findings.map((f) => `${f.rule_id}@${f.line}:${f.confidence}`);

function apply(code: string, edits: readonly TextEdit[]): string {
  return [...edits]
    .sort((a, b) => b.start - a.start)
    .reduce((text, e) => text.slice(0, e.start) + e.replacement + text.slice(e.end), code);
}

/** [name, vulnerable code, expected `rule@line:confidence` list, safe twin] */
const CASES: [string, string, string[], string][] = [
  [
    'sql injection',
    `app.get('/u', (req, res) => {\n  db.query("SELECT * FROM users WHERE id = " + req.query.id);\n});`,
    ['js.sql-injection@2:high'],
    `app.get('/u', (req, res) => {\n  db.query("SELECT * FROM users WHERE id = ?", [req.query.id]);\n});`,
  ],
  [
    'sql injection through a template and a variable',
    `async function h(req) {\n  const { id } = req.params;\n  const sql = \`DELETE FROM t WHERE id = \${id}\`;\n  return pool.execute(sql);\n}`,
    ['js.sql-injection@4:high'],
    `async function h(req) {\n  const id = parseInt(req.params.id, 10);\n  const sql = \`DELETE FROM t WHERE id = \${id}\`;\n  return pool.execute(sql);\n}`,
  ],
  [
    'sql of unknown origin',
    `function find(name) {\n  return knex.raw("SELECT * FROM t WHERE name = '" + name + "'");\n}`,
    ['js.sql-injection@2:medium'],
    `function find(name) {\n  return prisma.$queryRaw\`SELECT * FROM t WHERE name = \${name}\`;\n}`,
  ],
  [
    'nosql injection',
    `app.post('/login', async (req, res) => {\n  const user = await User.findOne({ name: req.body.name, password: req.body.password });\n});`,
    ['js.nosql-injection@2:high'],
    `app.post('/login', async (req, res) => {\n  const user = await User.findOne({ name: String(req.body.name) });\n});`,
  ],
  [
    'nosql $where',
    `users.find({ $where: "this.name == '" + req.query.n + "'" });`,
    ['js.nosql-injection@1:high'],
    `users.find({ name: 'admin' });`,
  ],
  [
    'command injection',
    `const { exec } = require('child_process');\nfunction run(req) {\n  exec('ls ' + req.query.dir);\n}`,
    ['js.command-injection@3:high'],
    `const { execFile } = require('child_process');\nfunction run(req) {\n  execFile('ls', [req.query.dir]);\n}`,
  ],
  [
    'command injection with shell: true',
    `const cp = require('child_process');\ncp.spawn('git', ['log', req.query.ref], { shell: true });`,
    ['js.command-injection@2:high'],
    `const cp = require('child_process');\ncp.spawn('git', ['log', req.query.ref]);`,
  ],
  [
    'code injection',
    `function calc(req) {\n  return eval(req.body.expr);\n}\nsetTimeout("tick(" + req.query.n + ")", 10);\nconst f = new Function('a', code);`,
    ['js.code-injection@2:high', 'js.code-injection@4:high', 'js.code-injection@5:medium'],
    `function calc(req) {\n  return JSON.parse(req.body.expr);\n}\nsetTimeout(() => tick(req.query.n), 10);\neval('1 + 1');`,
  ],
  [
    'path traversal',
    `const fs = require('fs');\napp.get('/f', (req, res) => {\n  fs.readFile('/data/' + req.query.name, () => {});\n  res.sendFile(req.params.file);\n});`,
    ['js.path-traversal@3:high', 'js.path-traversal@4:high'],
    `const fs = require('fs');\napp.get('/f', (req, res) => {\n  fs.readFile('/data/' + path.basename(req.query.name), () => {});\n  const p = path.resolve(ROOT, req.params.file);\n  if (!p.startsWith(ROOT + path.sep)) return res.sendStatus(403);\n  res.sendFile(p);\n});`,
  ],
  [
    'ssrf',
    `app.get('/proxy', async (req, res) => {\n  const r = await fetch(req.query.url);\n  await axios.get(\`\${req.query.host}/status\`);\n});`,
    ['js.ssrf@2:high', 'js.ssrf@3:high'],
    `app.get('/proxy', async (req, res) => {\n  const r = await fetch(\`https://api.example.com/items/\${encodeURIComponent(req.query.id)}\`);\n  await axios.get(\`https://api.example.com/u/\${req.query.id}\`);\n});`,
  ],
  [
    'xss',
    `el.innerHTML = location.hash.slice(1);\ndocument.write(msg);\napp.get('/h', (req, res) => res.send('<h1>' + req.query.name + '</h1>'));`,
    ['js.xss@1:high', 'js.xss@2:medium', 'js.xss@3:high'],
    `el.textContent = location.hash.slice(1);\nel.innerHTML = '<b>hi</b>';\napp.get('/h', (req, res) => res.send('<h1>' + escapeHtml(req.query.name) + '</h1>'));`,
  ],
  [
    'open redirect',
    `app.get('/go', (req, res) => res.redirect(req.query.next));`,
    ['js.open-redirect@1:high'],
    `app.get('/go', (req, res) => res.redirect('/home/' + encodeURIComponent(req.query.next)));`,
  ],
  [
    'insecure deserialization',
    `const serialize = require('node-serialize');\napp.post('/x', (req) => serialize.unserialize(req.body.data));`,
    ['js.insecure-deserialization@2:high'],
    `const serialize = require('node-serialize');\napp.post('/x', (req) => JSON.parse(req.body.data));`,
  ],
  [
    'weak hash',
    `const crypto = require('crypto');\nconst digest = crypto.createHash('md5').update(data).digest('hex');\nconst h = crypto.createHash('sha1').update(password).digest('hex');`,
    ['js.weak-hash@2:medium', 'js.weak-password-hash@3:high'],
    `const crypto = require('crypto');\nconst digest = crypto.createHash('sha256').update(data).digest('hex');`,
  ],
  [
    'weak cipher',
    `const c = crypto.createCipheriv('des-ede3-cbc', key, iv);\nconst d = crypto.createCipher('aes-256-cbc', pass);\nconst e = crypto.createCipheriv('aes-128-ecb', key, null);`,
    ['js.weak-cipher@1:high', 'js.weak-cipher@2:high', 'js.weak-cipher@3:high'],
    `const c = crypto.createCipheriv('aes-256-gcm', key, iv);`,
  ],
  [
    'insecure randomness',
    `const token = Math.random().toString(36).slice(2);\nfunction makeSessionId() {\n  return Math.floor(Math.random() * 1e9);\n}`,
    ['js.insecure-randomness@1:high', 'js.insecure-randomness@3:high'],
    `const delay = Math.random() * 1000;\nconst token = crypto.randomUUID();`,
  ],
  [
    'tls verification disabled',
    `https.request({ host: 'a.example', rejectUnauthorized: false });\nprocess.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';`,
    ['js.tls-verification-disabled@1:high', 'js.tls-verification-disabled@2:high'],
    `https.request({ host: 'a.example', rejectUnauthorized: true });`,
  ],
  [
    'insecure transport',
    `fetch('http://api.example.com/data');`,
    ['js.insecure-transport@1:high'],
    `fetch('https://api.example.com/data');\nfetch('http://localhost:3000/data');`,
  ],
  [
    'jwt misuse',
    `const jwt = require('jsonwebtoken');\njwt.verify(token, secret, { algorithms: ['none'] });\njwt.verify(token, publicKey);`,
    ['js.jwt-misuse@2:high', 'js.jwt-misuse@3:medium'],
    `const jwt = require('jsonwebtoken');\njwt.verify(token, publicKey, { algorithms: ['RS256'] });\nconst claims = jwt.decode(token);`,
  ],
  [
    'jwt decode without verify',
    `const jwt = require('jsonwebtoken');\nconst user = jwt.decode(req.headers.authorization);`,
    ['js.jwt-misuse@2:medium'],
    `const jwt = require('jsonwebtoken');\nconst user = jwt.verify(req.headers.authorization, key, { algorithms: ['HS256'] });`,
  ],
  [
    'prototype pollution',
    `app.post('/s', (req) => {\n  const { a, b } = req.body;\n  config[a][b] = req.body.v;\n});\nfunction merge(t, s) {\n  for (const k in s) {\n    if (typeof s[k] === 'object') merge(t[k], s[k]);\n    else t[k] = s[k];\n  }\n}`,
    ['js.prototype-pollution@3:high', 'js.prototype-pollution@8:medium'],
    `app.post('/s', (req) => {\n  const settings = Object.assign({}, req.body);\n  config.a = settings.v;\n});\nfunction merge(t, s) {\n  for (const k in s) {\n    if (k === '__proto__' || k === 'constructor') continue;\n    if (typeof s[k] === 'object') merge(t[k], s[k]);\n    else t[k] = s[k];\n  }\n}`,
  ],
  [
    'redos',
    `const re = /^(a+)+$/;\napp.get('/s', (req) => new RegExp(req.query.q));`,
    ['js.redos@1:medium', 'js.redos@2:high'],
    `const re = /^a+$/;\napp.get('/s', (req) => new RegExp(escapeRegExp(req.query.q)));`,
  ],
  [
    'redos: line terminators `.` cannot match, and the s flag that lets it',
    `const A = /^(?:.|\\n|\\r)*$/s;\nconst B = new RegExp('^(?:.|[\\\\n\\\\r])*$', 's');`,
    ['js.redos@1:medium', 'js.redos@2:medium'],
    `const A = /^(?:.|\\n|\\r)*$/;\nconst B = new RegExp('^(?:.|[\\\\n\\\\r])*$', 'u');`,
  ],
  [
    'redos: an ambiguous repetition at the end of the pattern never backtracks',
    `const T = /(\\w+)|((?:.|[\\r\\n\\f])+?)$/g;`,
    ['js.redos@1:medium'],
    `const T = /(\\w+)|((?:.|[\\r\\n\\f])+?)/g;`,
  ],
  [
    'permissive cors',
    `app.use(cors({ origin: true, credentials: true }));\nres.setHeader('Access-Control-Allow-Origin', '*');`,
    ['js.permissive-cors@1:high', 'js.permissive-cors@2:high'],
    `app.use(cors({ origin: ['https://app.example.com'], credentials: true }));`,
  ],
  [
    'insecure cookie',
    `res.cookie('sid', sid, { secure: false, httpOnly: false });`,
    ['js.insecure-cookie@1:high', 'js.insecure-cookie@1:high'],
    `res.cookie('sid', sid, { secure: true, httpOnly: true, sameSite: 'lax' });`,
  ],
  [
    'recursive merge guarded only by an own-property check of the source',
    `const merge = (dst, src) => {\n  Object.keys(src).forEach((key) => {\n    if (!src.hasOwnProperty(key)) return;\n    if (isObject(dst[key])) merge(dst[key], src[key]);\n    else dst[key] = src[key];\n  });\n};`,
    ['js.prototype-pollution@5:medium'],
    `const merge = (dst, src) => {\n  Object.keys(src).forEach((key) => {\n    if (!src.hasOwnProperty(key)) return;\n    if (Object.hasOwn(dst, key) && isObject(dst[key])) merge(dst[key], src[key]);\n    else dst[key] = src[key];\n  });\n};`,
  ],
  [
    "keys from the program's own tables or constant switch cases are not attacker keys",
    `function init(state, groups, src) {\n  for (const group of groups) {\n    for (const key in src) state[group][key] = src[key];\n  }\n}`,
    ['js.prototype-pollution@3:medium'],
    `const GROUPS = ['a', 'b'];\nconst DEFAULTS = { color: 'red', size: 2 };\nfunction init(state, kind, field, value) {\n  GROUPS.forEach((group) => {\n    for (const key in DEFAULTS) state[group][key] = DEFAULTS[key];\n  });\n  Object.keys(DEFAULTS).forEach((key) => {\n    for (const group of GROUPS) state[group][key] = 0;\n  });\n  switch (kind) {\n    case 'width':\n    case 'height':\n      state[kind][field] = value;\n      break;\n  }\n}`,
  ],
  [
    'a switch case reached from default, and a table the file writes under computed keys, are not constant',
    `const T = {};\nfunction f(state, kind, field, k, v) {\n  T[k] = v;\n  for (const key in T) state[kind][key] = 1;\n  switch (kind) {\n    default:\n    case 'a':\n      state[kind][field] = v;\n  }\n}`,
    ['js.prototype-pollution@4:medium', 'js.prototype-pollution@8:medium'],
    `function f(state, kind, field, v) {\n  switch (kind) {\n    case 'a':\n      state[kind][field] = v;\n  }\n}`,
  ],
  [
    'deep clone into a fresh object is not a merge',
    `function merge(a, b) {\n  for (const [k, v] of Object.entries(b)) a[k] = v && typeof v === 'object' ? merge(a[k] || {}, v) : v;\n  return a;\n}`,
    ['js.prototype-pollution@2:medium'],
    `function clone(o) {\n  const out = {};\n  for (const k in o) out[k] = typeof o[k] === 'object' ? clone(o[k]) : o[k];\n  return out;\n}`,
  ],
  [
    'two-level write whose first key is a module constant',
    `function setHeader(key, value) {\n  this[state][key] = value;\n}`,
    ['js.prototype-pollution@2:medium'],
    `const { kHeaders } = require('./symbols');\nfunction setHeader(key, value) {\n  this[kHeaders][key] = value;\n}`,
  ],
  [
    'path setter walking the parts of a dotted path',
    `function set(obj, path, value) {\n  const keys = path.split('.');\n  const last = keys.pop();\n  for (const key of keys) obj = obj[key] || (obj[key] = {});\n  obj[last] = value;\n}`,
    ['js.prototype-pollution@5:medium'],
    `function set(obj, path, value) {\n  const keys = path.split('.');\n  const last = keys.pop();\n  for (const key of keys) {\n    if (key === '__proto__' || key === 'constructor') return;\n    obj = obj[key] || (obj[key] = {});\n  }\n  obj[last] = value;\n}`,
  ],
  [
    'path setter written as a reduce',
    `const set = (o, p, v) => p.split('.').reduce((acc, k, i, all) => (acc[k] = i === all.length - 1 ? v : acc[k] || {}), o);`,
    ['js.prototype-pollution@1:medium'],
    `const get = (o, p) => p.split('.').reduce((acc, k) => acc[k], o);\nconst index = (keys) => keys.reduce((acc, k) => { acc[k] = true; return acc; }, Object.create(null));`,
  ],
  [
    'cors headers object, nest wildcard, pseudoRandomBytes, libxml options variable',
    `res.writeHead(200, { 'Access-Control-Allow-Origin': req.headers.origin });\napp.enableCors({ origin: '*' });\nconst id = crypto.pseudoRandomBytes(16);\nconst opts = { noent: true };\nlibxmljs.parseXml(req.body, opts);`,
    ['js.permissive-cors@1:high', 'js.permissive-cors@2:high', 'js.insecure-randomness@3:high', 'js.xxe@5:high'],
    `res.writeHead(200, { 'Access-Control-Allow-Origin': 'https://app.example.com' });\napp.enableCors({ origin: ['https://app.example.com'] });\nconst id = crypto.randomBytes(16);\nconst opts = { noent: false };\nlibxmljs.parseXml(req.body, opts);`,
  ],
  [
    'hard-coded jwt secret',
    `const jwt = require('jsonwebtoken');\nconst secret = 'shhh';\nconst token = jwt.sign({ id: 1 }, secret);\njwt.verify(token, 'shhh');`,
    ['js.hard-coded-secret-key@3:high', 'js.hard-coded-secret-key@4:high'],
    `const jwt = require('jsonwebtoken');\nconst secret = process.env.JWT_SECRET || 'dev';\nconst token = jwt.sign({ id: 1 }, secret);\njwt.verify(token, config.secret);`,
  ],
  [
    'hard-coded session, express-jwt and hmac keys',
    `const session = require('express-session');\nconst { expressjwt } = require('express-jwt');\nconst crypto = require('crypto');\nconst options = { secret: 'keyboard cat', resave: false };\napp.use(session(options));\napp.use(expressjwt({ secret: 'x', algorithms: ['HS256'] }));\ncrypto.createHmac('sha256', 'k').update(d);`,
    ['js.hard-coded-secret-key@4:high', 'js.hard-coded-secret-key@6:high', 'js.hard-coded-secret-key@7:high'],
    `const session = require('express-session');\nconst { expressjwt } = require('express-jwt');\nconst crypto = require('crypto');\nconst options = { secret: process.env.SESSION_SECRET, resave: false };\napp.use(session(options));\napp.use(expressjwt({ secret: getKey, algorithms: ['HS256'] }));\ncrypto.createHmac('sha256', key).update(d);`,
  ],
];

describe('JavaScript rules: vulnerable snippets and their safe twins', () => {
  for (const [name, vulnerable, expected, safe] of CASES) {
    it(`${name}: reported`, async () => {
      assert.deepEqual(brief(await scan(vulnerable)), expected);
    });
    it(`${name}: safe twin not reported`, async () => {
      assert.deepEqual(brief(await scan(safe)), []);
    });
  }
});

describe('taint tracking', () => {
  it('flows through helper functions that return their parameter', async () => {
    const code = `function wrap(v) {\n  return "'" + v.trim() + "'";\n}\nfunction constant(v) {\n  return 'x';\n}\napp.get('/', (req) => {\n  db.query('SELECT * FROM t WHERE a = ' + wrap(req.query.a));\n  db.query('SELECT * FROM t WHERE a = ' + constant(req.query.a));\n});`;
    assert.deepEqual(brief(await scan(code)), ['js.sql-injection@8:high']);
  });

  it('flows through pass-through calls and reassignment, and is cut by a later sanitising assignment', async () => {
    const tainted = `function h(req) {\n  let q = decodeURIComponent(String(req.query.q));\n  q += '';\n  return db.query(\`SELECT * FROM t WHERE q = '\${q}'\`);\n}`;
    assert.deepEqual(brief(await scan(tainted)), ['js.sql-injection@4:high']);
    const cut = `function h(req) {\n  let n = req.query.n;\n  n = Number(n);\n  return db.query(\`SELECT * FROM t LIMIT \${n}\`);\n}`;
    assert.deepEqual(brief(await scan(cut)), []);
  });

  it('treats allow-list checks as sanitisers', async () => {
    const code = `function h(req, res) {\n  const col = req.query.sort;\n  if (!ALLOWED.includes(col)) return res.sendStatus(400);\n  return db.query('SELECT * FROM t ORDER BY ' + col);\n}`;
    assert.deepEqual(brief(await scan(code)), []);
  });

  it('uses Koa and Fastify sources and process.argv', async () => {
    const code = `router.get('/', async (ctx) => {\n  await db.query('SELECT * FROM t WHERE a = ' + ctx.query.a);\n});\nconst { exec } = require('child_process');\nexec(\`rm -rf \${process.argv[2]}\`);`;
    assert.deepEqual(brief(await scan(code)), ['js.sql-injection@2:high', 'js.command-injection@5:high']);
  });
});

describe('TypeScript and TSX', () => {
  it('parses TSX and reports dangerouslySetInnerHTML with non-constant data', async () => {
    const code = `export function Post({ html }: { html: string }) {\n  return <div dangerouslySetInnerHTML={{ __html: html }} />;\n}\nexport const Safe = () => <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(x) }} />;`;
    assert.deepEqual(brief(await scan(code, 'tsx')), ['js.xss@2:medium']);
  });

  it('sees through TypeScript casts', async () => {
    const code = `app.get('/', (req: Request, res: Response) => {\n  const id = req.query.id as string;\n  db.query(\`SELECT * FROM t WHERE id = \${id!}\`);\n});`;
    assert.deepEqual(brief(await scan(code, 'typescript')), ['js.sql-injection@3:high']);
  });
});

describe('suppression', () => {
  it('honours lvlup-ignore comments for the named rule', async () => {
    const code = `// lvlup-ignore js.sql-injection\ndb.query("SELECT * FROM t WHERE a = " + req.query.a);\ndb.query("SELECT * FROM t WHERE a = " + req.query.a); // lvlup-ignore js.xss`;
    assert.deepEqual(brief(await scan(code)), ['js.sql-injection@3:high']);
  });
});

describe('autofixes', () => {
  it('replaces Math.random string tokens with crypto.randomUUID()', async () => {
    const code = `import crypto from 'node:crypto';\nconst token = Math.random().toString(36).substring(2, 10);\n`;
    const [finding] = await scan(code);
    assert.ok(finding?.fix);
    assert.equal(
      apply(code, finding.fix.edits),
      `import crypto from 'node:crypto';\nconst token = crypto.randomUUID();\n`,
    );
  });

  it('offers no fix when the random number is used as a number', async () => {
    const [finding] = await scan(`const otp = Math.floor(Math.random() * 1e6);`);
    assert.equal(finding?.rule_id, 'js.insecure-randomness');
    assert.equal(finding.fix, undefined);
  });

  it('turns rejectUnauthorized: false into true', async () => {
    const code = `const agent = new https.Agent({ rejectUnauthorized: false });`;
    const [finding] = await scan(code);
    assert.ok(finding?.fix);
    assert.equal(apply(code, finding.fix.edits), `const agent = new https.Agent({ rejectUnauthorized: true });`);
  });
});

describe('hasNestedQuantifier', () => {
  it('finds nested quantifiers only', () => {
    assert.equal(hasNestedQuantifier('^(a+)+$'), true);
    assert.equal(hasNestedQuantifier('(\\w*)*'), true);
    assert.equal(hasNestedQuantifier('([a-z]+\\.)+[a-z]{2,}'), true);
    assert.equal(hasNestedQuantifier('^(ab)+$'), false);
    assert.equal(hasNestedQuantifier('[(a+)+]'), false);
    assert.equal(hasNestedQuantifier('\\(a+\\)+'), false);
  });
});

describe('entry-point parameters carrying client input', () => {
  it('treats the event of an exported Lambda handler as request data, not other exported functions', async () => {
    const lambda = `const cp = require('child_process');\nexports.handler = async (event, context) => {\n  cp.spawnSync(event['cmd']);\n};`;
    assert.deepEqual(brief(await scan(lambda)), ['js.command-injection@3:high']);
    const helper = `const cp = require('child_process');\nexports.run = async (job, options) => {\n  cp.spawnSync(job.cmd);\n};`;
    assert.deepEqual(brief(await scan(helper)), []);
  });

  it('treats request fields destructured from a handler parameter as request data', async () => {
    const typed = `export function get({ params, session }: Request, res: Response) {\n  res.sendFile(path.join(ROOT, params.file));\n  res.sendFile(path.join(ROOT, session.file));\n}`;
    assert.deepEqual(brief(await scan(typed, 'typescript')), ['js.path-traversal@2:high']);
    const untyped = `app.get('/f', ({ query: { file } }, res) => {\n  res.sendFile(path.join(ROOT, file));\n});`;
    assert.deepEqual(brief(await scan(untyped)), ['js.path-traversal@2:high']);
    const notHandler = `function render({ query }, options) {\n  return fs.readFileSync(path.join(ROOT, query.file));\n}`;
    assert.deepEqual(brief(await scan(notHandler)), []);
  });

  it('treats the arguments of an MCP tool callback as client input', async () => {
    const code = `server.tool('get', { url: z.string() }, async ({ url }) => {\n  await fetch(url);\n});\nasync function local({ url }) {\n  await fetch(url);\n}`;
    assert.deepEqual(brief(await scan(code, 'typescript')), ['js.ssrf@2:high']);
  });
});

describe('sandbox, headless-browser and trusted-prefix sinks', () => {
  it('reports code run by a vm2 sandbox or a headless page, not functions passed to evaluate', async () => {
    const code = `app.get('/', async (req, res) => {\n  new VM({}).run('f(' + req.query.x + ')');\n  await page.evaluate(\`alert(\${req.query.x})\`);\n  await page.evaluate((x) => x * 2, req.query.x);\n  await page.goto(req.query.url);\n});`;
    assert.deepEqual(brief(await scan(code)), [
      'js.code-injection@2:high',
      'js.code-injection@3:high',
      'js.ssrf@5:high',
    ]);
  });

  it('does not report a redirect or request whose URL starts with a configured base', async () => {
    const code = `const config = require('./config');\nconst API_ROOT = process.env.API_ROOT;\napp.get('/', (req, res) => {\n  res.redirect(config.base + req.query.next);\n  axios.get(\`\${API_ROOT}/users/\${req.query.id}\`);\n  res.redirect(req.query.next + config.suffix);\n  fetch(process.env.UPSTREAM + req.query.path);\n});`;
    assert.deepEqual(brief(await scan(code)), ['js.open-redirect@6:high']);
  });

  it('does not take a parameter or a request field for a configured base', async () => {
    const code = `function proxy(base, req) {\n  return fetch(base + req.query.path);\n}\napp.get('/', (req, res) => {\n  fetch(\`\${req.protocol}://\${req.headers.host}/\${req.query.path}\`);\n});`;
    assert.deepEqual(brief(await scan(code)), ['js.ssrf@2:high', 'js.ssrf@5:high']);
  });
});

describe('Angular, legacy MongoDB updates and containment checks', () => {
  it('reports route input marked as trusted by the Angular DomSanitizer, not a plain assignment', async () => {
    const code = `class C {\n  f() {\n    const q = this.route.snapshot.queryParams.q;\n    this.html = this.sanitizer.bypassSecurityTrustHtml(q);\n    this.text = q;\n    this.icon = this.sanitizer.bypassSecurityTrustUrl('/assets/icon.svg');\n  }\n}`;
    assert.deepEqual(brief(await scan(code, 'typescript')), ['js.xss@4:high']);
  });

  it('reports a legacy update(filter, { $set }) on request data, not Sequelize or hash updates', async () => {
    const code = `app.post('/r', async (req, res) => {\n  await db.reviews.update({ _id: req.body.id }, { $set: { text: req.body.text } });\n  await Review.update({ text: req.body.text }, { where: { id: 1 } });\n  hash.update(req.body.text);\n  await db.reviews.update({ _id: String(req.body.id) }, { $set: { text: req.body.text } });\n});`;
    assert.deepEqual(brief(await scan(code)), ['js.nosql-injection@2:high']);
  });

  it('does not take "leave unless it contains X" for validation, but keeps deny-lists and prefixes', async () => {
    const code = `app.get('/a', (req, res) => {\n  const u = req.query.u;\n  if (!u.includes('https://good.example')) return res.end();\n  res.redirect(u);\n});\napp.get('/b', (req, res) => {\n  const u = req.query.u;\n  if (!u.startsWith('https://good.example/')) return res.end();\n  res.redirect(u);\n});\napp.get('/c', (req, res) => {\n  const p = req.query.p;\n  if (p.includes('..')) return res.end();\n  res.sendFile(p, { root: 'public' });\n});`;
    assert.deepEqual(brief(await scan(code)), ['js.open-redirect@4:high']);
  });

  it('trusts a same-file validator only when its body checks the value, not a substring or a constant true', async () => {
    const weak = [
      `function isAllowed(url) {\n  return ALLOWED.some((host) => url.includes(host));\n}`,
      `const isSafeUrl = (url) => url.toLowerCase().indexOf('good.example') !== -1;`,
      `function isValidUrl(url) {\n  return /good\\.example/.test(url);\n}`,
      `function isValidUrl(url) {\n  return true;\n}`,
    ];
    const strong = [
      `function isAllowed(url) {\n  return ALLOWED.includes(url);\n}`,
      `function isValidUrl(url) {\n  return /^https:\\/\\/good\\.example\\//.test(url);\n}`,
      `function isSafeUrl(url) {\n  return url.startsWith('https://good.example/');\n}`,
      `function isSafeUrl(url) {\n  return new URL(url).hostname === 'good.example';\n}`,
      `function isSafeUrl(url) {\n  return url.indexOf('https://good.example/') === 0;\n}`,
    ];
    const route = (validator: string) => {
      const name = /(?:function|const) (\w+)/.exec(validator)![1]!;
      return `${validator}\napp.get('/go', (req, res) => {\n  const u = req.query.u;\n  if (!${name}(u)) return res.end();\n  res.redirect(u);\n});`;
    };
    for (const validator of weak)
      assert.equal(
        brief(await scan(route(validator))).filter((f) => f.startsWith('js.open-redirect')).length,
        1,
        validator,
      );
    for (const validator of strong) assert.deepEqual(brief(await scan(route(validator))), [], validator);
  });
});

describe('program-chosen values and non-security uses', () => {
  it('does not report JSON responses or Fastify text replies as HTML, but keeps HTML strings', async () => {
    const code = `app.get('/a', (req, res) => {\n  res.send({ greeting: \`Hi \${req.query.name}\` });\n});\nfastify.get('/b', (request, reply) => {\n  reply.send(request.query.name);\n});\nfastify.get('/c', (request, reply) => {\n  reply.type('text/html');\n  reply.send(request.query.name);\n});\napp.get('/d', (req, res) => {\n  res.send('<p>' + req.query.name + '</p>');\n});`;
    assert.deepEqual(brief(await scan(code)), ['js.xss@9:high', 'js.xss@12:high']);
  });

  it('treats Fastify string replies as text when the file loads Fastify', async () => {
    const code = `const app = require('fastify')();\napp.get('/', (req, res) => {\n  res.send(req.query.name);\n});`;
    assert.deepEqual(brief(await scan(code)), []);
    const express = `const app = require('express')();\napp.get('/', (req, res) => {\n  res.send(req.query.name);\n});`;
    assert.deepEqual(brief(await scan(express)), ['js.xss@3:high']);
  });

  it('treats process.argv[0] and [1] as the program, the other arguments as input', async () => {
    const code = `const cp = require('child_process');\ncp.spawn(process.argv[0], ['worker.js'], { stdio: 'inherit' });\ncp.exec('ls ' + process.argv[2]);`;
    assert.deepEqual(brief(await scan(code)), ['js.command-injection@3:high']);
  });

  it('does not take a whole argument vector for query text', async () => {
    const code = `async function main() {\n  await cli.execute(process.argv, null, true);\n  await db.query('SELECT * FROM t WHERE name = ' + process.argv[2]);\n}`;
    assert.deepEqual(brief(await scan(code)), ['js.sql-injection@3:high']);
  });

  it('reports MD5 by what it protects: not for cache keys or content checksums', async () => {
    const code = `const crypto = require('crypto');\nfunction cacheKey(url) {\n  return crypto.createHash('md5').update(url).digest('hex');\n}\nfunction fileChecksum(buffer) {\n  return crypto.createHash('md5').update(buffer).digest('hex');\n}\nconst etag = crypto.createHash('sha1').update(body).digest('base64');\nfunction signRequest(payload, key) {\n  return crypto.createHash('sha1').update(key + payload).digest('hex');\n}\nconst digest = crypto.createHash('md5').update(data).digest('hex');`;
    assert.deepEqual(brief(await scan(code)), ['js.weak-hash@10:high', 'js.weak-hash@12:medium']);
  });
});

describe('javascript: polynomial ReDoS on request data', () => {
  it('reports a trailing run (`\\s+$`) over request data, not an anchored one, a constant subject or multiline mode', async () => {
    const code = [
      "const express = require('express');",
      'const app = express();',
      "app.get('/a', (req, res) => {",
      "  const name = req.query.name.replace(/^\\s+|\\s+$/g, '');",
      "  const start = req.query.name.replace(/^\\s+/g, '');",
      "  const constant = 'constant  '.replace(/\\s+$/, '');",
      '  const tested = /[ \\t]+$/.test(req.query.x);',
      "  const lines = req.query.text.replace(/\\s+$/gm, '');",
      '  res.json({ name, start, constant, tested, lines });',
      '});',
    ].join('\n');
    assert.deepEqual(brief(await scan(code)), ['js.redos@4:high', 'js.redos@7:high']);
  });
});
