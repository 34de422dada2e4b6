// Guardian rules, sources, sinks and sanitisers: each vulnerable snippet is reported by the expected rule on
// the expected line, and its safe twin is not reported for that family.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { found } from './guardian-support.js';

const EXPRESS = "const express = require('express');\nconst app = express();\n";

/** [name, file, family, vulnerable code, expected `rule@line`s, safe twin] */
const CASES: [string, string, string, string, string[], string][] = [
  [
    'XXE: libxmljs with noent on request data',
    'a.js',
    'xxe',
    `${EXPRESS}const libxmljs = require('libxmljs');\napp.post('/x', (req, res) => {\n  const doc = libxmljs.parseXml(req.body, { noent: true });\n  res.send(doc.root().name());\n});`,
    ['js.xxe@5'],
    `${EXPRESS}const libxmljs = require('libxmljs');\napp.post('/x', (req, res) => {\n  const doc = libxmljs.parseXml(req.body, { noent: false, nonet: true });\n  res.send(doc.root().name());\n});`,
  ],
  [
    'XXE: libxmljs2 imported parseXmlString with dtdload',
    'a.ts',
    'xxe',
    "import { parseXmlString } from 'libxmljs2';\nexport const load = (xml: string) => parseXmlString(xml, { dtdload: true });",
    ['js.xxe@2'],
    "import { DOMParser } from '@xmldom/xmldom';\nexport const load = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml');",
  ],
  [
    'tar extraction without a filter',
    'a.py',
    'path_traversal',
    'import tarfile\n\ndef unpack(archive, dest):\n    with tarfile.open(archive) as tar:\n        tar.extractall(dest)\n',
    ['py.tar-extraction@5'],
    'import tarfile\n\ndef unpack(archive, dest):\n    with tarfile.open(archive) as tar:\n        tar.extractall(dest, filter="data")\n',
  ],
  [
    'open redirect through a Location header',
    'a.js',
    'open_redirect',
    "const http = require('http');\nhttp.createServer((req, res) => {\n  const to = new URL(req.url, 'http://x').searchParams.get('to');\n  res.writeHead(302, { Location: to });\n  res.end();\n});",
    ['js.open-redirect@4'],
    "const http = require('http');\nhttp.createServer((req, res) => {\n  res.writeHead(302, { Location: '/welcome' });\n  res.end();\n});",
  ],
  [
    'open redirect: NextResponse.redirect, constant path on the request origin is safe',
    'a.ts',
    'open_redirect',
    "import { NextRequest, NextResponse } from 'next/server';\nexport function middleware(request: NextRequest) {\n  const dest = request.nextUrl.searchParams.get('dest');\n  if (dest) return NextResponse.redirect(dest);\n}",
    ['js.open-redirect@4'],
    "import { NextRequest, NextResponse } from 'next/server';\nexport function middleware(request: NextRequest) {\n  const dest = request.nextUrl.searchParams.get('dest');\n  if (dest) return NextResponse.redirect(new URL('/dashboard', request.url));\n}",
  ],
  [
    'open redirect: location.assign, allow-list guard in a branch',
    'a.js',
    'open_redirect',
    "const next = new URLSearchParams(location.search).get('next');\nlocation.assign(next);",
    ['js.open-redirect@2'],
    "const PAGES = new Set(['/a', '/b']);\nconst next = new URLSearchParams(location.search).get('next');\nif (PAGES.has(next)) {\n  location.assign(next);\n}",
  ],
  [
    'open redirect: ternary validation',
    'a.js',
    'open_redirect',
    `${EXPRESS}app.get('/l', (req, res) => {\n  const next = String(req.query.next);\n  res.redirect(next);\n});`,
    ['js.open-redirect@5'],
    `${EXPRESS}app.get('/l', (req, res) => {\n  const next = String(req.query.next);\n  res.redirect(/^\\/(?![\\/\\\\])/.test(next) ? next : '/');\n});`,
  ],
  [
    'NoSQL: a String() cast leaves no operator to inject',
    'a.js',
    'nosql_injection',
    `${EXPRESS}app.post('/login', async (req, res) => {\n  const user = await User.findOne({ name: req.body.name });\n  res.json(user);\n});`,
    ['js.nosql-injection@4'],
    `${EXPRESS}app.post('/login', async (req, res) => {\n  const name = String(req.body.name);\n  const user = await User.findOne({ name: name });\n  res.json(user);\n});`,
  ],
  [
    'NoSQL: $where on a chained collection, $eq comparison is safe',
    'a.js',
    'nosql_injection',
    `${EXPRESS}app.get('/i', async (req, res) => {\n  res.json(await db().collection('i').find({ $where: 'this.total > ' + req.query.min }).toArray());\n});`,
    ['js.nosql-injection@4'],
    `${EXPRESS}app.get('/i', async (req, res) => {\n  if (typeof req.query.t !== 'string') return res.sendStatus(400);\n  res.json(await db().collection('i').find({ token: { $eq: req.query.t } }).toArray());\n});`,
  ],
  [
    'XSS: Koa HTML body',
    'a.ts',
    'xss',
    "import type { Context } from 'koa';\nexport async function page(ctx: Context) {\n  ctx.body = `<p>${ctx.query.q}</p>`;\n}",
    ['js.xss@3'],
    "import type { Context } from 'koa';\nimport escape from 'escape-html';\nexport async function page(ctx: Context) {\n  ctx.body = `<p>${escape(String(ctx.query.q))}</p>`;\n}",
  ],
  [
    'XSS: a JSON content type is not HTML',
    'a.ts',
    'xss',
    "import http from 'node:http';\nhttp.createServer((req, res) => {\n  res.writeHead(200, { 'Content-Type': 'text/html' });\n  res.end('<p>' + req.url + '</p>');\n});",
    ['js.xss@4'],
    "import http from 'node:http';\nhttp.createServer((req, res) => {\n  res.writeHead(200, { 'Content-Type': 'application/json' });\n  res.end(JSON.stringify({ url: req.url }));\n});",
  ],
  [
    'path traversal: path.relative check',
    'a.js',
    'path_traversal',
    "import fs from 'fs/promises';\nimport path from 'path';\nexport async function del(req, res) {\n  await fs.unlink(path.resolve('storage', req.body.path));\n}",
    ['js.path-traversal@4'],
    "import fs from 'fs/promises';\nimport path from 'path';\nconst STORAGE = path.resolve('storage');\nexport async function del(req, res) {\n  const target = path.resolve(STORAGE, req.body.path);\n  if (path.relative(STORAGE, target).startsWith('..')) return res.status(400).end();\n  await fs.unlink(target);\n}",
  ],
  [
    'path traversal: a random file name is safe',
    'a.js',
    'path_traversal',
    "const fs = require('fs');\nmodule.exports = (ctx) => {\n  const { name, data } = ctx.request.body;\n  fs.writeFileSync('/srv/a/' + name, data);\n};",
    ['js.path-traversal@4'],
    "const fs = require('fs');\nconst crypto = require('crypto');\nmodule.exports = (ctx) => {\n  const { data } = ctx.request.body;\n  fs.writeFileSync('/srv/a/' + crypto.randomUUID() + '.png', data);\n};",
  ],
  [
    'Python path traversal: pathlib resolve + is_relative_to',
    'a.py',
    'path_traversal',
    'from pathlib import Path\nfrom fastapi import FastAPI\nfrom fastapi.responses import FileResponse\napp = FastAPI()\nMEDIA = Path("/srv")\n\n@app.get("/m/{name}")\ndef media(name: str):\n    return FileResponse(MEDIA / name)\n',
    ['py.path-traversal@9'],
    'from pathlib import Path\nfrom fastapi import FastAPI, HTTPException\nfrom fastapi.responses import FileResponse\napp = FastAPI()\nMEDIA = Path("/srv")\n\n@app.get("/m/{name}")\ndef media(name: str):\n    target = (MEDIA / name).resolve()\n    if not target.is_relative_to(MEDIA):\n        raise HTTPException(status_code=404)\n    return FileResponse(target)\n',
  ],
  [
    'Python SSRF through an httpx client; constant mapping lookups are safe',
    'a.py',
    'ssrf',
    'import httpx\nfrom fastapi import FastAPI\napp = FastAPI()\n\n@app.get("/a")\nasync def a(source: str):\n    async with httpx.AsyncClient() as client:\n        return (await client.get(source)).text\n',
    ['py.ssrf@8'],
    'import httpx\nfrom fastapi import FastAPI\napp = FastAPI()\nFEEDS = {"a": "https://a.example.com/rss"}\n\n@app.get("/a")\nasync def a(source: str):\n    async with httpx.AsyncClient() as client:\n        return (await client.get(FEEDS.get(source, "https://a.example.com/rss"))).text\n',
  ],
  [
    'Python open redirect: allow-list exit guard',
    'a.py',
    'open_redirect',
    'from flask import Flask, redirect, request\napp = Flask(__name__)\n\n@app.route("/go")\ndef go():\n    target = request.args["next"]\n    return redirect(target)\n',
    ['py.open-redirect@7'],
    'from flask import Flask, redirect, request\napp = Flask(__name__)\nALLOWED = {"/a", "/b"}\n\n@app.route("/go")\ndef go():\n    target = request.args["next"]\n    if target not in ALLOWED:\n        return redirect("/")\n    return redirect(target)\n',
  ],
  [
    'insecure transport: axios base URL',
    'a.ts',
    'insecure_transport',
    "import axios from 'axios';\nexport const api = axios.create({ baseURL: 'http://api.example.com/v1' });",
    ['js.insecure-transport@2'],
    "import axios from 'axios';\nexport const api = axios.create({ baseURL: 'https://api.example.com/v1' });",
  ],
  [
    'insecure transport: URL from a module constant, FTP',
    'a.py',
    'insecure_transport',
    'import requests\nfrom ftplib import FTP\nAPI = "http://api.example.com"\n\ndef f():\n    requests.get(f"{API}/x", timeout=5)\n    FTP("ftp.example.com")\n',
    ['py.insecure-transport@6', 'py.insecure-transport@7'],
    'import requests\nfrom ftplib import FTP_TLS\nAPI = "https://api.example.com"\n\ndef f():\n    requests.get(f"{API}/x", timeout=5)\n    FTP_TLS("ftp.example.com")\n',
  ],
  [
    'insecure randomness: token built in a loop',
    'a.js',
    'insecure_randomness',
    "function resetToken() {\n  let token = '';\n  for (let i = 0; i < 32; i++) token += Math.floor(Math.random() * 16).toString(16);\n  return token;\n}",
    ['js.insecure-randomness@3'],
    "const crypto = require('crypto');\nfunction resetToken() {\n  return crypto.randomBytes(16).toString('hex');\n}",
  ],
  [
    'Python insecure randomness: one-time code',
    'a.py',
    'insecure_randomness',
    'import random\n\ndef send(user):\n    code = random.randint(100000, 999999)\n    user.notify(code)\n',
    ['py.insecure-random@4'],
    'import secrets\n\ndef send(user):\n    code = secrets.randbelow(900000) + 100000\n    user.notify(code)\n',
  ],
  [
    'JWT: jose decodeJwt without verification',
    'a.ts',
    'jwt_misuse',
    "import { decodeJwt } from 'jose';\nexport const claims = (token: string) => decodeJwt(token);",
    ['js.jwt-misuse@2'],
    "import { jwtVerify } from 'jose';\nexport const claims = async (token: string, key: Uint8Array) => (await jwtVerify(token, key)).payload;",
  ],
  [
    'JWT: python-jose get_unverified_claims',
    'a.py',
    'jwt_misuse',
    'from jose import jwt\n\ndef user(token):\n    return jwt.get_unverified_claims(token)\n',
    ['py.jwt-verification-disabled@4'],
    'from jose import jwt\n\ndef user(token, key):\n    return jwt.decode(token, key, algorithms=["HS256"])\n',
  ],
  [
    'CORS: Fastify plugin with a wildcard and credentials',
    'a.ts',
    'permissive_cors',
    "import Fastify from 'fastify';\nimport cors from '@fastify/cors';\nconst app = Fastify();\nawait app.register(cors, { origin: '*', credentials: true });",
    ['js.permissive-cors@4'],
    "import Fastify from 'fastify';\nimport cors from '@fastify/cors';\nconst app = Fastify();\nawait app.register(cors, { origin: ['https://app.example.com'], credentials: true });",
  ],
  [
    'CORS: Flask header reflecting the Origin, allow-listed twin',
    'a.py',
    'permissive_cors',
    'from flask import request\n\n@app.after_request\ndef cors(response):\n    response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin")\n    return response\n',
    ['py.permissive-cors@5'],
    'from flask import request\nALLOWED = {"https://app.example.com"}\n\n@app.after_request\ndef cors(response):\n    origin = request.headers.get("Origin")\n    if origin in ALLOWED:\n        response.headers["Access-Control-Allow-Origin"] = origin\n    return response\n',
  ],
  [
    'prototype pollution: jQuery deep extend',
    'a.js',
    'prototype_pollution',
    "const $ = require('jquery');\nmodule.exports = (req, res) => res.json($.extend(true, {}, JSON.parse(req.body.o)));",
    ['js.prototype-pollution@2'],
    "const $ = require('jquery');\nmodule.exports = (req, res) => res.json($.extend({}, JSON.parse(req.body.o)));",
  ],
  [
    'prototype pollution: walking an object along request keys',
    'a.ts',
    'prototype_pollution',
    "const config: Record<string, any> = {};\nexport function set(req: any) {\n  const parts = String(req.body.path).split('.');\n  let node = config;\n  for (const part of parts.slice(0, -1)) node = node[part] ??= {};\n  node[parts[parts.length - 1]] = req.body.value;\n}",
    ['js.prototype-pollution@6'],
    'const config = new Map<string, unknown>();\nexport function set(req: any) {\n  config.set(String(req.body.path), req.body.value);\n}',
  ],
  [
    'prototype pollution: a local merge is judged by its body',
    'a.js',
    'prototype_pollution',
    'function merge(t, s) {\n  for (const k in s) {\n    if (typeof s[k] === "object") merge(t[k] ??= {}, s[k]);\n    else t[k] = s[k];\n  }\n  return t;\n}\nmodule.exports = (req, res) => res.json(merge({}, req.body));',
    ['js.prototype-pollution@4'],
    'function merge(t, s) {\n  for (const k of Object.keys(s)) {\n    if (k === "__proto__" || k === "constructor") continue;\n    if (typeof s[k] === "object") merge(t[k] ??= {}, s[k]);\n    else t[k] = s[k];\n  }\n  return t;\n}\nmodule.exports = (req, res) => res.json(merge({}, req.body));',
  ],
  [
    'ReDoS: overlapping alternation; a delimited repetition is safe',
    'a.ts',
    'redos',
    "export const HOST = new RegExp('^(a|aa)+\\\\.example\\\\.com$');",
    ['js.redos@1'],
    'export const EMAIL = /^[a-z0-9_.-]+@[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.[a-z]{2,24}$/;',
  ],
  [
    'command injection through util.promisify(cp.exec)',
    'a.js',
    'command_injection',
    "const util = require('util');\nconst cp = require('child_process');\nconst run = util.promisify(cp.exec);\nmodule.exports = async (ctx) => {\n  ctx.body = (await run('nslookup ' + ctx.query.domain)).stdout;\n};",
    ['js.command-injection@5'],
    "const util = require('util');\nconst cp = require('child_process');\nconst run = util.promisify(cp.exec);\nmodule.exports = async (ctx) => {\n  ctx.body = (await run('nslookup example.com')).stdout;\n};",
  ],
  [
    'insecure deserialization: funcster and the js-yaml full schema',
    'a.js',
    'insecure_deserialization',
    "const funcster = require('funcster');\nconst yaml = require('js-yaml');\nmodule.exports = (ctx) => {\n  funcster.deepDeserialize(JSON.parse(ctx.request.body.s));\n  yaml.load(ctx.request.body.y, { schema: yaml.DEFAULT_FULL_SCHEMA });\n};",
    ['js.insecure-deserialization@4', 'js.insecure-deserialization@5'],
    "const yaml = require('js-yaml');\nmodule.exports = (ctx) => {\n  JSON.parse(ctx.request.body.s);\n  yaml.load(ctx.request.body.y, { schema: yaml.JSON_SCHEMA });\n};",
  ],
  [
    'insecure cookies: document.cookie without Secure, Koa cookies.set',
    'a.js',
    'insecure_cookie',
    "export function remember(ctx, token) {\n  document.cookie = 'auth_token=' + token + '; path=/';\n  ctx.cookies.set('session', token, { httpOnly: false });\n}",
    ['js.insecure-cookie@2', 'js.insecure-cookie@3'],
    "export function remember(ctx, token) {\n  document.cookie = 'auth_token=' + token + '; path=/; Secure; SameSite=Strict';\n  ctx.cookies.set('session', token, { httpOnly: true, secure: true });\n}",
  ],
  [
    'code injection: setTimeout with a string from the URL',
    'a.js',
    'code_injection',
    "const action = new URLSearchParams(location.search).get('onload');\nsetTimeout(action, 500);",
    ['js.code-injection@2'],
    "const action = new URLSearchParams(location.search).get('onload');\nsetTimeout(() => console.log(action), 500);",
  ],
  [
    'hard-coded password passed to login()',
    'a.py',
    'hard_coded_secret',
    'import smtplib\n\nwith smtplib.SMTP_SSL("smtp.example.com") as s:\n    s.login("me@example.com", "Sup3r-S3cret-Mail-Pass!")\n',
    ['secrets.hard-coded-credential@4'],
    'import os\nimport smtplib\n\nwith smtplib.SMTP_SSL("smtp.example.com") as s:\n    s.login("me@example.com", os.environ["SMTP_PASSWORD"])\n',
  ],
  [
    'SQL: knex whereRaw on a chained builder',
    'a.js',
    'sql_injection',
    "const knex = require('knex')({});\nexports.h = async (event) => knex('a').whereRaw(`lower(email) = lower('${event.queryStringParameters.email}')`);",
    ['js.sql-injection@2'],
    "const knex = require('knex')({});\nexports.h = async (event) => knex('a').whereRaw('lower(email) = lower(?)', [event.queryStringParameters.email]);",
  ],
];

describe('Guardian rules: vulnerable snippets and their safe twins', () => {
  for (const [name, file, family, vulnerable, expected, safe] of CASES) {
    it(name, async () => {
      assert.deepEqual(await found(vulnerable, file, family), expected);
      assert.deepEqual(await found(safe, file, family), []);
    });
  }
});

const MORE: [string, string, string, string, string[], string][] = [
  [
    'SQL through sqlite3 db.all, a cache lookup is not a query',
    'a.js',
    'sql_injection',
    "const db = new sqlite3.Database(':memory:');\napp.get('/u', (req, res) => db.all(\"SELECT * FROM u WHERE n = '\" + req.query.n + \"'\", (e, r) => res.json(r)));",
    ['js.sql-injection@2'],
    "const db = new sqlite3.Database(':memory:');\nconst cache = new Map();\napp.get('/u', (req, res) => db.all('SELECT * FROM u WHERE n = ?', [req.query.n], (e, r) => res.json(cache.get(req.query.n) ?? r)));",
  ],
  [
    'command injection through sh -c',
    'a.py',
    'command_injection',
    'import subprocess\nfrom flask import request\n\n@app.route("/x")\ndef x():\n    subprocess.run(["bash", "-c", "ls " + request.args["d"]])\n',
    ['py.command-injection@6'],
    'import subprocess\nfrom flask import request\n\n@app.route("/x")\ndef x():\n    subprocess.run(["ls", request.args["d"]])\n',
  ],
  [
    'JavaScript command injection through sh -c',
    'a.js',
    'command_injection',
    "const { spawn } = require('child_process');\napp.get('/u', (req) => spawn('sh', ['-c', 'ls ' + req.query.d]));",
    ['js.command-injection@2'],
    "const { spawn } = require('child_process');\napp.get('/u', (req) => spawn('ls', ['-l', req.query.d]));",
  ],
  [
    'pathlib methods are file sinks',
    'a.py',
    'path_traversal',
    'from pathlib import Path\nfrom flask import request\nBASE = Path("/srv")\n\n@app.route("/x")\ndef x():\n    return (BASE / request.args["f"]).read_text()\n',
    ['py.path-traversal@7'],
    'from pathlib import Path\nfrom flask import request\nfrom werkzeug.utils import secure_filename\nBASE = Path("/srv")\n\n@app.route("/x")\ndef x():\n    return (BASE / secure_filename(request.args["f"])).read_text()\n',
  ],
  [
    'Jinja2 without autoescaping for HTML templates',
    'a.py',
    'xss',
    'from jinja2 import Environment, FileSystemLoader\nenv = Environment(loader=FileSystemLoader("templates"))\npage = env.get_template("page.html")\n',
    ['py.xss@2'],
    'from jinja2 import Environment, FileSystemLoader, select_autoescape\nenv = Environment(loader=FileSystemLoader("templates"), autoescape=select_autoescape())\npage = env.get_template("page.html")\n',
  ],
];

describe('Guardian rules: more sinks', () => {
  for (const [name, file, family, vulnerable, expected, safe] of MORE) {
    it(name, async () => {
      assert.deepEqual(await found(vulnerable, file, family), expected);
      assert.deepEqual(await found(safe, file, family), []);
    });
  }
});

describe('Guardian rules: plain HTTP clients', () => {
  it('reports the http module and http.client connections to remote hosts, not to localhost', async () => {
    assert.deepEqual(
      await found(
        "const http = require('http');\nhttp.request({ hostname: 'api.example.com', path: '/x' });\nhttp.request({ hostname: 'localhost', port: 8080 });",
        'a.js',
        'insecure_transport',
      ),
      ['js.insecure-transport@2'],
    );
    assert.deepEqual(
      await found(
        'import http.client\nhttp.client.HTTPConnection("api.example.com")\nhttp.client.HTTPConnection("localhost", 8080)\nhttp.client.HTTPSConnection("api.example.com")\n',
        'a.py',
        'insecure_transport',
      ),
      ['py.insecure-transport@2'],
    );
  });
});
