import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCode } from '../analyze.js';
import type { Finding, TextEdit } from '../finding.js';
import { hasNestedQuantifier } from './redos.js';
import { PYTHON_RULES } from './index.js';

const analyze = (code: string) => analyzeCode({ code, filePath: 'app.py' }, PYTHON_RULES);
const summary = (findings: Finding[]) => findings.map((f) => `${f.rule_id}@${f.line}:${f.confidence}`);

async function expectFindings(code: string, expected: string[]) {
  assert.deepEqual(summary(await analyze(code)), expected);
}

function applyEdits(code: string, edits: readonly TextEdit[]): string {
  return [...edits]
    .sort((a, b) => b.start - a.start)
    .reduce((text, e) => text.slice(0, e.start) + e.replacement + text.slice(e.end), code);
}

const FLASK = 'from flask import Flask, request, redirect, render_template_string\nimport sqlite3, os, subprocess\n';

describe('python: SQL injection', () => {
  it('reports an f-string query with request data (high) and not a parameterised one', async () => {
    await expectFindings(
      FLASK +
        `def search():
    name = request.args.get("name")
    cur = db.cursor()
    cur.execute(f"SELECT * FROM users WHERE name = '{name}'")
    cur.execute("SELECT * FROM users WHERE name = ?", (name,))
`,
      ['py.sql-injection@6:high'],
    );
  });

  it('follows % formatting, .format, concatenation and augmented assignment', async () => {
    await expectFindings(
      FLASK +
        `def q():
    uid = request.form["id"]
    cursor.execute("SELECT * FROM t WHERE id = %s" % uid)
    sql = "SELECT * FROM t WHERE id = {}".format(uid)
    cursor.execute(sql)
    s = "SELECT * FROM t WHERE a = "
    s += uid
    cursor.executemany(s, [])
    conn.execute("DELETE FROM t WHERE id = " + uid.strip().lower())
`,
      ['py.sql-injection@5:high', 'py.sql-injection@7:high', 'py.sql-injection@10:high', 'py.sql-injection@11:high'],
    );
  });

  it('medium for a formatted query of unknown origin, nothing for constants or int()', async () => {
    await expectFindings(
      `def by_id(cursor, table, raw):
    cursor.execute(f"SELECT * FROM {table}")
    TABLE = "users"
    cursor.execute(f"SELECT * FROM {TABLE}")
    cursor.execute(f"SELECT * FROM t WHERE id = {int(raw)}")
    cursor.execute(raw)
`,
      ['py.sql-injection@2:medium'],
    );
  });

  it('tracks taint through helper functions and sqlalchemy text()', async () => {
    await expectFindings(
      `from sqlalchemy import text
from flask import request
def build(where):
    return "SELECT * FROM t WHERE " + where
def constant(where):
    return "SELECT 1"
def view():
    w = request.values["w"]
    db.session.execute(text(build(w)))
    db.session.execute(text(constant(w)))
`,
      ['py.sql-injection@9:high'],
    );
  });

  it('treats FastAPI handler parameters as tainted, Depends() parameters not', async () => {
    await expectFindings(
      `from fastapi import FastAPI, Depends
app = FastAPI()
@app.get("/items")
async def items(q: str, db=Depends(get_db)):
    db.execute(f"SELECT * FROM items WHERE q = '{q}'")
    db.execute(f"SELECT * FROM items WHERE q = '{db}'")
`,
      ['py.sql-injection@5:high', 'py.sql-injection@6:medium'],
    );
  });

  it('Django request.GET and .raw()', async () => {
    await expectFindings(
      `def view(request):
    q = request.GET["q"]
    return User.objects.raw("SELECT * FROM auth_user WHERE name = '%s'" % q)
`,
      ['py.sql-injection@3:high'],
    );
  });

  it('honours suppression comments', async () => {
    await expectFindings(
      FLASK +
        `def s():
    n = request.args["n"]
    cur.execute(f"SELECT {n}")  # lvlup-ignore py.sql-injection
    # lvlup-ignore py.sql-injection
    cur.execute(f"SELECT {n}")
    cur.execute(f"SELECT {n}")  # lvlup-ignore py.other-rule
`,
      ['py.sql-injection@8:high'],
    );
  });
});

describe('python: NoSQL injection', () => {
  it('reports a request object used as filter and $where with data; not scalar filters or str.find', async () => {
    await expectFindings(
      `from flask import request
def f():
    db.users.find(request.json)
    db.users.find({"$where": "this.name == '" + request.args["n"] + "'"})
    db.users.find({"name": request.args["n"]})
    request.args["n"].find("x")
`,
      ['py.nosql-injection@3:high', 'py.nosql-injection@4:high'],
    );
  });
});

describe('python: command injection', () => {
  it('reports os.system / shell=True with data, not argument lists or shlex.quote', async () => {
    await expectFindings(
      `import os, subprocess, shlex, sys
def run(host):
    os.system("ping -c 1 " + sys.argv[1])
    subprocess.run(f"ping {host}", shell=True)
    subprocess.run(["ping", host])
    subprocess.run(f"ping {shlex.quote(sys.argv[1])}", shell=True)
    subprocess.call("ls -la", shell=True)
    os.popen(input())
`,
      ['py.command-injection@3:high', 'py.command-injection@4:medium', 'py.command-injection@8:high'],
    );
  });

  it('resolves from-imports and aliases', async () => {
    await expectFindings(
      `from subprocess import check_output as co
from os import system
from flask import request
def f():
    co("nslookup " + request.args["d"], shell=True)
    system(request.args["d"])
`,
      ['py.command-injection@5:high', 'py.command-injection@6:high'],
    );
  });
});

describe('python: code injection', () => {
  it('reports eval/exec/compile on non-constant input only', async () => {
    await expectFindings(
      `from flask import request
def f(expr):
    eval(request.args["e"])
    exec(expr)
    eval("1 + 2")
    compile(int(expr), "x", "eval")
`,
      ['py.code-injection@3:high', 'py.code-injection@4:medium'],
    );
  });
});

describe('python: path traversal', () => {
  it('reports open/send_file/os.remove with request data; sanitisers and unknown paths are quiet', async () => {
    await expectFindings(
      `import os, shutil
from flask import request, send_file
from werkzeug.utils import secure_filename
BASE = "/srv/files"
def f(path):
    name = request.args["name"]
    open(os.path.join(BASE, name))
    send_file(f"/srv/files/{name}")
    os.remove(name)
    shutil.rmtree(name)
    open(os.path.join(BASE, secure_filename(name)))
    open(os.path.join(BASE, os.path.basename(name)))
    open(path)
    full = os.path.realpath(os.path.join(BASE, name))
    if not full.startswith(BASE):
        return "no"
    open(full)
`,
      ['py.path-traversal@7:high', 'py.path-traversal@8:high', 'py.path-traversal@9:high', 'py.path-traversal@10:high'],
    );
  });

  it('reports saving an upload under its client-chosen name', async () => {
    await expectFindings(
      `from flask import request
import os
def upload():
    f = request.files["file"]
    f.save(os.path.join("/uploads", f.filename))
`,
      ['py.path-traversal@5:high'],
    );
  });
});

describe('python: SSRF', () => {
  it('reports requests/httpx/urlopen with a client URL, not a fixed origin', async () => {
    await expectFindings(
      `import requests, httpx
from urllib.request import urlopen
from flask import request
def f():
    url = request.args["url"]
    requests.get(url, timeout=5)
    httpx.post(url)
    urlopen(url)
    requests.get(f"https://api.example.com/users/{url}")
    requests.get("https://api.example.com/status")
`,
      ['py.ssrf@6:high', 'py.ssrf@7:high', 'py.ssrf@8:high'],
    );
  });
});

describe('python: XSS', () => {
  it('reports mark_safe/Markup on data, render_template_string with data and |safe, and f-string HTML returns', async () => {
    await expectFindings(
      `from flask import Flask, request, render_template_string
from markupsafe import Markup, escape
from django.utils.safestring import mark_safe
app = Flask(__name__)
@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    Markup(name)
    mark_safe(escape(name))
    Markup("<b>constant</b>")
    render_template_string("<p>" + name + "</p>")
    render_template_string("<p>{{ name|safe }}</p>", name=name)
    render_template_string("<p>{{ name }}</p>", name=name)
    return f"<h1>Hello {name}</h1>"
@app.route("/safe")
def safe():
    name = request.args.get("name", "")
    return f"<h1>Hello {escape(name)}</h1>"
def helper(x):
    mark_safe(x)
`,
      ['py.xss@8:high', 'py.xss@11:high', 'py.xss@12:high', 'py.xss@14:high', 'py.xss@20:medium'],
    );
  });
});

describe('python: open redirect', () => {
  it('reports redirect to a client URL, not relative paths', async () => {
    await expectFindings(
      `from flask import request, redirect, url_for
def login():
    nxt = request.args.get("next")
    redirect(nxt)
    redirect(f"/profile?tab={nxt}")
    redirect(url_for("index"))
`,
      ['py.open-redirect@4:high'],
    );
  });
});

describe('python: insecure deserialization', () => {
  it('reports pickle/marshal/jsonpickle/yaml.load of non-constant data', async () => {
    await expectFindings(
      `import pickle, marshal, jsonpickle, yaml
from flask import request
def f(blob):
    pickle.loads(request.data)
    marshal.loads(blob)
    jsonpickle.decode(blob)
    yaml.load(blob, Loader=yaml.SafeLoader)
    yaml.load(blob, Loader=yaml.Loader)
    yaml.safe_load(blob)
    pickle.loads(b"constant")
`,
      [
        'py.insecure-deserialization@4:high',
        'py.insecure-deserialization@5:medium',
        'py.insecure-deserialization@6:medium',
        'py.insecure-deserialization@8:medium',
      ],
    );
  });

  it('autofixes yaml.load(x) to yaml.safe_load(x)', async () => {
    const code = 'import yaml\ndef f(text):\n    return yaml.load(text)\n';
    const [finding] = await analyze(code);
    assert.equal(finding?.rule_id, 'py.insecure-deserialization');
    assert.equal(applyEdits(code, finding.fix!.edits), 'import yaml\ndef f(text):\n    return yaml.safe_load(text)\n');
    assert.deepEqual(await analyze(applyEdits(code, finding.fix!.edits)), []);
  });
});

describe('python: XXE', () => {
  it('reports resolve_entities=True and external general entities, not the defaults', async () => {
    await expectFindings(
      `from lxml import etree
import xml.sax
from xml.sax.handler import feature_external_ges
parser = etree.XMLParser(resolve_entities=True)
etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False))
p = xml.sax.make_parser()
p.setFeature(feature_external_ges, True)
p.setFeature(feature_external_ges, False)
`,
      ['py.xxe@4:high', 'py.xxe@7:high'],
    );
  });
});

describe('python: weak crypto', () => {
  it('reports md5/sha1 (CWE-916 on passwords), DES/ARC4 and ECB; not sha256 or usedforsecurity=False', async () => {
    const findings = await analyze(`import hashlib
from Crypto.Cipher import DES, ARC4, AES
def f(data, password):
    hashlib.md5(data).hexdigest()
    hashlib.sha1(password.encode()).hexdigest()
    hashlib.sha256(data).hexdigest()
    hashlib.md5(data, usedforsecurity=False)
    hashlib.new("md5", data)
    DES.new(key, DES.MODE_CBC)
    ARC4.new(key)
    AES.new(key, AES.MODE_ECB)
`);
    assert.deepEqual(summary(findings), [
      'py.weak-hash@4:medium',
      'py.weak-password-hash@5:high',
      'py.weak-hash@8:medium',
      'py.weak-cipher@9:high',
      'py.weak-cipher@10:high',
      'py.weak-cipher@11:high',
    ]);
    assert.equal(findings[1]?.cwe, 'CWE-916');
    assert.equal(findings[0]?.cwe, 'CWE-328');
  });
});

describe('python: insecure randomness', () => {
  it('reports random for secret-named values only and autofixes choice to secrets.choice', async () => {
    const code = `import random
import string
def make():
    token = "".join(random.choice(string.ascii_letters) for _ in range(32))
    colour = random.choice(["red", "blue"])
    return token
def reset_code():
    return random.randint(100000, 999999)
`;
    const findings = await analyze(code);
    assert.deepEqual(summary(findings), ['py.insecure-random@4:high', 'py.insecure-random@8:high']);
    assert.equal(findings[1]?.fix, undefined);
    assert.equal(
      applyEdits(code, findings[0]!.fix!.edits),
      code
        .replace('import random', 'import secrets\nimport random')
        .replace('random.choice(string', 'secrets.choice(string'),
    );
  });
});

describe('python: TLS and transport', () => {
  it('reports verify=False with an autofix, unverified contexts and CERT_NONE, plain http URLs', async () => {
    const code = `import requests, ssl
def f():
    requests.get("https://example.com", verify=False)
    requests.get("https://example.com", verify=True)
    ctx = ssl._create_unverified_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    requests.post("http://api.example.com/login")
    requests.get("http://localhost:8000/health")
`;
    const findings = await analyze(code);
    assert.deepEqual(summary(findings), [
      'py.tls-verification-disabled@3:high',
      'py.tls-verification-disabled@5:high',
      'py.tls-verification-disabled@6:high',
      'py.tls-verification-disabled@7:high',
      'py.insecure-transport@8:medium',
    ]);
    assert.match(
      applyEdits(code, findings[0]!.fix!.edits),
      /requests\.get\("https:\/\/example\.com", verify=True\)\n {4}requests\.get/,
    );
  });
});

describe('python: JWT', () => {
  it('reports disabled signature verification and the none algorithm', async () => {
    await expectFindings(
      `import jwt
def f(token, key):
    jwt.decode(token, options={"verify_signature": False})
    jwt.decode(token, key, algorithms=["none"])
    jwt.decode(token, key, verify=False)
    jwt.decode(token, key, algorithms=["HS256"])
`,
      [
        'py.jwt-verification-disabled@3:high',
        'py.jwt-verification-disabled@4:high',
        'py.jwt-verification-disabled@5:high',
      ],
    );
  });
});

describe('python: ReDoS', () => {
  it('reports client-supplied patterns and nested quantifiers; re.escape is safe', async () => {
    await expectFindings(
      `import re
from flask import request
def f():
    re.search(request.args["p"], "text")
    re.search(re.escape(request.args["p"]), "text")
    re.compile(r"^(a+)+$")
    re.compile(r"^[a-z]+@[a-z]+\\.com$")
`,
      ['py.redos@4:high', 'py.redos@6:medium'],
    );
    assert.equal(hasNestedQuantifier('(\\w+\\s?)*$'), true);
    assert.equal(hasNestedQuantifier('(ab){2}'), false);
    assert.equal(hasNestedQuantifier('[(a+)]+'), false);
  });
});

describe('python: CORS, cookies, debug', () => {
  it('reports wildcard CORS with credentials, insecure cookies and debug=True', async () => {
    await expectFindings(
      `from flask_cors import CORS
CORS(app, origins="*", supports_credentials=True)
CORS(app, origins=["https://app.example.com"], supports_credentials=True)
CORS_ORIGIN_ALLOW_ALL = True
SESSION_COOKIE_SECURE = False
SESSION_COOKIE_SECURE = True
app.config["SESSION_COOKIE_HTTPONLY"] = False
def f(resp):
    resp.set_cookie("sid", "v", secure=False)
    resp.set_cookie("sid", "v", secure=True, httponly=True)
app.run(debug=True)
app.run(debug=False)
`,
      [
        'py.permissive-cors@2:high',
        'py.permissive-cors@4:high',
        'py.insecure-cookie@5:high',
        'py.insecure-cookie@7:high',
        'py.insecure-cookie@9:high',
        'py.debug-enabled@11:high',
      ],
    );
  });
});

describe('python: rule metadata', () => {
  it('every rule has an id, CWE, message and remediation', () => {
    const ids = new Set<string>();
    for (const rule of PYTHON_RULES) {
      assert.match(rule.id, /^py\.[a-z-]+$/);
      assert.match(rule.cwe, /^CWE-\d+$/);
      assert.ok(rule.message && rule.remediation && rule.issueType);
      assert.deepEqual(rule.languages, ['python']);
      assert.ok(!ids.has(rule.id));
      ids.add(rule.id);
    }
  });
});

describe('python: names that are also Object.prototype members', () => {
  it('analyses calls named constructor, toString or hasOwnProperty without a rule failing', async () => {
    const code = [
      'def constructor(x):',
      '    return x',
      '',
      'def reduce(obj):',
      '    return obj.constructor(obj.toString(), hasOwnProperty(obj), valueOf(1))',
      '',
      'constructor(1)',
      'toString()',
      'random.__proto__()',
    ].join('\n');
    const failures: string[] = [];
    const findings = await analyzeCode({ code, filePath: 'copyreg_like.py' }, PYTHON_RULES, {
      onRuleError: (ruleId, error) => failures.push(`${ruleId}: ${String(error)}`),
    });
    assert.deepEqual(failures, []);
    assert.deepEqual(findings, []);
  });
});

describe('python: generality of sources and sinks', () => {
  it('reads request data through the framework module (`flask.request`) and the request URL for HTML', async () => {
    await expectFindings(
      `import flask, requests

app = flask.Flask(__name__)

@app.route("/proxy")
def proxy():
    target = flask.request.args.get("target")
    return requests.get(target).text

@app.route("/missing")
def missing():
    page = flask.render_template_string(f"<p>No page at {flask.request.url}</p>")
    back = flask.redirect(flask.request.url)
    return page
`,
      ['py.ssrf@8:high', 'py.xss@12:high'],
    );
  });

  it('reports a client-chosen program run without a shell, not a client-chosen argument', async () => {
    await expectFindings(
      FLASK +
        `import os
@app.post("/run")
def run():
    tool = request.form["tool"]
    subprocess.run([tool, "--version"])
    subprocess.run(["pandoc", tool])
    os.execv(tool, [tool])
    os.execl("/bin/sh", "sh", "-c", request.form["script"])
    helper = find_helper()
    subprocess.run([helper, "--version"])
`,
      ['py.command-injection@7:high', 'py.command-injection@9:high', 'py.command-injection@10:high'],
    );
  });

  it('flags short RSA/DSA keys and weak hashes of cryptography/pycryptodome', async () => {
    await expectFindings(
      `from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa, dsa
from Crypto.PublicKey import RSA
from Crypto.Hash import MD4
rsa.generate_private_key(public_exponent=65537, key_size=1024)
rsa.generate_private_key(public_exponent=65537, key_size=2048)
dsa.generate_private_key(key_size=1024)
RSA.generate(512)
RSA.generate(bits=4096)
hashes.Hash(hashes.SHA1())
hashes.Hash(hashes.SHA256())
MD4.new()
`,
      [
        'py.weak-key-size@5:high',
        'py.weak-key-size@7:high',
        'py.weak-key-size@8:high',
        'py.weak-hash@10:medium',
        'py.weak-hash@12:medium',
      ],
    );
  });

  it('reports request text echoed by Django responses unless served as plain text', async () => {
    await expectFindings(
      `from django.http import HttpResponse, HttpResponseBadRequest

def echo(request):
    name = request.GET["name"]
    if not name.isalnum():
        return HttpResponseBadRequest("bad name: " + name)
    if len(name) > 20:
        return HttpResponseBadRequest("bad name: " + name, content_type="text/plain")
    return HttpResponse(lookup(name))
`,
      ['py.xss@6:high'],
    );
  });

  it('reads TLS and JWT options by name and through variables', async () => {
    await expectFindings(
      `import ssl, jwt, urllib3
pool = urllib3.PoolManager(cert_reqs="NONE")
ok = urllib3.PoolManager(cert_reqs="CERT_REQUIRED")
client = ssl.wrap_socket(sock)
server = ssl.wrap_socket(sock, server_side=True, certfile="c.pem")
opts = {"verify_signature": False}
jwt.decode(token, key, algorithms=["HS256"], options=opts)
`,
      [
        'py.tls-verification-disabled@2:high',
        'py.tls-verification-disabled@4:medium',
        'py.jwt-verification-disabled@7:high',
      ],
    );
  });
});

describe('python: secrets given to secret-taking APIs', () => {
  it('reports constant JWT, HMAC and Flask keys, directly or through a variable, and not environment reads', async () => {
    await expectFindings(
      `import hmac, os, jwt
from flask import Flask
app = Flask(__name__)
app.secret_key = "dev"
app.config["JWT_SECRET_KEY"] = os.environ["JWT_SECRET_KEY"]
app.config.update(SECRET_KEY="not-so-secret")
KEY = "signing"
def token(payload):
    return jwt.encode(payload, KEY, algorithm="HS256")
def check(token):
    return jwt.decode(token, os.environ.get("KEY", "dev"), algorithms=["HS256"])
def sign(body):
    return hmac.new(b"webhook", body, "sha256").hexdigest()
`,
      [
        'py.hard-coded-secret@4:high',
        'py.hard-coded-secret@6:high',
        'py.hard-coded-secret@9:high',
        'py.hard-coded-secret@13:high',
      ],
    );
  });

  it('reports Django SECRET_KEY only in a settings module, database passwords and password comparisons', async () => {
    await expectFindings(
      `import mysql.connector
INSTALLED_APPS = ["shop"]
SECRET_KEY = "dev-key"
def connect():
    return mysql.connector.connect(user="app", password="app", host="db")
def is_admin(password):
    return password == "admin"
def empty(password):
    return password == ""
`,
      ['py.hard-coded-secret@3:high', 'py.hard-coded-secret@5:high', 'py.hard-coded-secret@7:high'],
    );
    await expectFindings('SECRET_KEY = "just-a-module-constant"\n', []);
  });

  it('leaves random-looking credential-named constants to the generic secret rules', async () => {
    await expectFindings(
      `import jwt
JWT_SECRET = "f8Kq2LzX9vR4mT7wP1sY6bN3cH0dJ5gA"
def token(payload):
    return jwt.encode(payload, JWT_SECRET, algorithm="HS256")
`,
      [],
    );
  });
});

describe('python: branches join', () => {
  it('joins the values a variable gets in the branches of an if statement', async () => {
    await expectFindings(
      FLASK +
        `from markupsafe import Markup
@app.route("/q")
def q():
    query = request.args.get("q")
    if query:
        query = '"{0}"'.format(query.strip())
    else:
        query = '""'
    return render_template("q.html", query=Markup(query))
`,
      ['py.xss@11:high'],
    );
  });

  it('does not let a binding in an earlier branch reach a use in a later one', async () => {
    await expectFindings(
      FLASK +
        `@app.route("/c")
def c():
    cmd = "ls"
    if request.args.get("x"):
        cmd = request.args.get("x")
    else:
        os.system(cmd)
`,
      [],
    );
  });
});

describe('python: redirects, requests and CORS options', () => {
  it('reports a client-chosen Location header and requests.Request with a client URL', async () => {
    await expectFindings(
      FLASK +
        `import requests
@app.route("/r")
def r():
    resp = app.response_class(status=302)
    resp.headers["Location"] = request.args["next"]
    resp.headers["Location"] = "/home"
    return requests.Session().send(requests.Request("GET", request.args["u"]).prepare())
`,
      ['py.open-redirect@7:high', 'py.ssrf@9:high'],
    );
  });

  it('reads credentials and origins from Flask-CORS resources and JWT options bound to False', async () => {
    await expectFindings(
      `from flask_cors import CORS
import jwt
CORS(app, resources={r"/*": {"origins": "*", "supports_credentials": True}})
CORS(app, resources={r"/*": {"origins": ["https://a.example"], "supports_credentials": True}})
off = False
jwt.decode(token, key, options={"verify_signature": off})
`,
      ['py.permissive-cors@3:high', 'py.jwt-verification-disabled@6:high'],
    );
  });
});

describe('python: weak TLS versions, asyncpg queries, request paths, pickle round trips', () => {
  it('reports obsolete ssl/pyOpenSSL protocol versions, not negotiated ones or comparisons', async () => {
    await expectFindings(
      `import ssl
from OpenSSL import SSL
from ssl import PROTOCOL_TLSv1_1
a = ssl.SSLContext(ssl.PROTOCOL_TLSv1)
b = SSL.Context(SSL.SSLv3_METHOD)
c = ssl.SSLContext(PROTOCOL_TLSv1_1)
a.minimum_version = ssl.TLSVersion.TLSv1
if a.minimum_version == ssl.TLSVersion.TLSv1:
    pass
d = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
d.minimum_version = ssl.TLSVersion.TLSv1_2
e = SSL.Context(SSL.TLS_METHOD)
d.options |= ssl.OP_NO_TLSv1
`,
      [
        'py.weak-tls-version@4:high',
        'py.weak-tls-version@5:high',
        'py.weak-tls-version@6:high',
        'py.weak-tls-version@7:high',
      ],
    );
  });

  it('treats asyncpg fetch methods as SQL sinks only for SQL text', async () => {
    await expectFindings(
      `from flask import request
async def orders(conn):
    status = request.args["status"]
    await conn.fetch(f"SELECT * FROM orders WHERE status = '{status}'")
    query = "SELECT * FROM orders WHERE status = '%s'" % status
    await conn.fetchrow(query)
    await conn.fetch("SELECT * FROM orders WHERE status = $1", status)
    await client.fetch(status)
`,
      ['py.sql-injection@4:high', 'py.sql-injection@6:high'],
    );
  });

  it('treats the request path as client data for HTML and SQL, not for redirects', async () => {
    await expectFindings(
      `from django.http import HttpResponse
from django.shortcuts import redirect
def page(request):
    Person.objects.extra(where=["path = '%s'" % request.path])
    redirect(request.path)
    return HttpResponse("<p>" + request.path + "</p>")
`,
      ['py.sql-injection@4:high', 'py.xss@6:high'],
    );
  });

  it('does not report a pickle round trip of program data', async () => {
    await expectFindings(
      `import pickle
from flask import request
def copy(obj):
    return pickle.loads(pickle.dumps(obj))
def load():
    return pickle.loads(request.data)
`,
      ['py.insecure-deserialization@6:high'],
    );
  });
});

describe('python: constants that are read, not chosen, and other non-uses', () => {
  it('does not report CERT_NONE compared or used as a table key, nor an SSLContext stand-in default', async () => {
    await expectFindings(
      `import ssl
def verifies(context):
    return context.verify_mode != ssl.CERT_NONE
NAMES = {ssl.CERT_NONE: "none", ssl.CERT_REQUIRED: "required"}
class FakeContext:
    def __init__(self):
        self.check_hostname = False
        self.verify_mode = ssl.CERT_NONE
def insecure(context):
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
`,
      ['py.tls-verification-disabled@10:high', 'py.tls-verification-disabled@11:high'],
    );
  });

  it('does not report protocol versions as keys or values of a version translation table', async () => {
    await expectFindings(
      `import ssl
from OpenSSL import SSL
VERSIONS = {ssl.PROTOCOL_TLSv1: SSL.TLSv1_METHOD}
VERSIONS[ssl.PROTOCOL_TLSv1_1] = SSL.TLSv1_1_METHOD
LIMITS = {}
LIMITS[ssl.PROTOCOL_SSLv3] = (0, 1)
context = SSL.Context(SSL.TLSv1_METHOD)
`,
      ['py.weak-tls-version@7:high'],
    );
  });

  it('does not report weak hashes listed in an algorithm table or deriving cache keys and identifiers', async () => {
    await expectFindings(
      `import hashlib
from cryptography.hazmat.primitives import hashes
SIGNATURE_HASHES = {"rsa-md5": hashes.MD5(), "rsa-sha256": hashes.SHA256()}
def cache_key(url):
    return hashlib.md5(url.encode()).hexdigest()
def uuid_for(namespace, name):
    digest = hashlib.sha1(namespace + name).digest()
    return digest[:16]
etag = hashlib.md5(body).hexdigest()
def sign(message):
    return hashlib.sha1(message).hexdigest()
`,
      ['py.weak-hash@11:medium'],
    );
  });

  it('prefers the import in a try block over its ImportError fallback', async () => {
    await expectFindings(
      `try:
    from secrets import randbits
except ImportError:
    from random import getrandbits as randbits
def make_nonce():
    nonce = randbits(64)
    return nonce
`,
      [],
    );
    await expectFindings(
      `try:
    from random import getrandbits as randbits
except ImportError:
    from secrets import randbits
def make_nonce():
    nonce = randbits(64)
    return nonce
`,
      ['py.insecure-random@6:high'],
    );
  });

  it('does not take a compile that is not the builtin for code evaluation, and reports exec(compile()) once', async () => {
    await expectFindings(
      `from re import compile
def matcher(pattern):
    return compile(pattern)
`,
      [],
    );
    await expectFindings(
      `def run(source, name):
    exec(compile(source, name, "exec"))
`,
      ['py.code-injection@2:medium'],
    );
  });

  it('treats numeric %-formatting as safe in a shell command', async () => {
    await expectFindings(
      FLASK +
        `def kill():
    pid = request.args.get("pid")
    os.system("kill -9 %d" % pid)
    os.system("kill -9 %s" % pid)
`,
      ['py.command-injection@6:high'],
    );
  });

  it('does not take a path named on the command line for path traversal', async () => {
    await expectFindings(
      `import sys, subprocess
with open(sys.argv[1]) as f:
    print(f.read())
subprocess.call("cat " + sys.argv[1], shell=True)
`,
      ['py.command-injection@4:high'],
    );
  });
});

describe('python: AWS Lambda handlers, argument-only commands and round trips', () => {
  it("takes a Lambda handler's event as client input, not another function's parameters", async () => {
    await expectFindings(
      `import os, requests
def handler(event, context):
    requests.get(event["url"])
    os.spawnlp(os.P_WAIT, event["program"])
def lambda_handler(evt, ctx):
    open(evt["path"])
def helper(event, context):
    requests.get(context["url"])
def worker(event, context, extra):
    requests.get(event["url"])
class Api:
    def handler(self, event):
        requests.get(event["url"])
`,
      ['py.ssrf@3:high', 'py.command-injection@4:high', 'py.path-traversal@6:high'],
    );
  });

  it('reports a command string built from client data, with or without a shell, but not an argument list', async () => {
    await expectFindings(
      `import subprocess
def handler(event, context):
    subprocess.call("grep -R {} .".format(event["id"]))
    cmd = "ls -l " + event["dir"]
    subprocess.run(cmd)
    subprocess.call("grep -R {} .".format(event["id"]), shell=True)
    subprocess.call(event["program"])
    subprocess.call("{} -R .".format(event["id"]))
    subprocess.call(["grep", "-R", event["id"], "."])
`,
      [
        // a string without a shell runs as one program name on POSIX and is split by Windows: either way the
        // client's text reaches the command line
        'py.command-injection@3:high',
        'py.command-injection@5:high',
        'py.command-injection@6:high',
        'py.command-injection@7:high',
        'py.command-injection@8:high',
      ],
    );
  });

  it('does not report a pickle round trip even of client data, but does for another serialiser', async () => {
    await expectFindings(
      `import pickle, dill, json
def handler(event, context):
    dill.loads(dill.dumps(event["data"]))
    pickle.loads(pickle.dumps(event["data"]))
    pickle.loads(json.dumps(event["data"]))
`,
      ['py.insecure-deserialization@5:high'],
    );
  });
});

describe('python: validation flags and clock readings', () => {
  it('honours a validation result stored in a flag, and a keyword argument to the validator', async () => {
    await expectFindings(
      `from django.http import HttpResponseRedirect
from django.utils.http import is_safe_url
def view(request):
    target = request.GET.get("next")
    ok = is_safe_url(url=target, allowed_hosts=None)
    if ok:
        return HttpResponseRedirect(target)
    flag = True
    if flag:
        return HttpResponseRedirect(target)
`,
      ['py.open-redirect@10:high'],
    );
  });

  it('treats readings of the clock as program data', async () => {
    await expectFindings(
      `import datetime, time, os
def stamp():
    os.system("touch /tmp/%s" % datetime.datetime.now())
    os.system("touch /tmp/" + str(time.time()))
    os.system("touch /tmp/" + name())
`,
      ['py.command-injection@5:medium'],
    );
  });
});

describe('python: Jinja2 autoescaping and SSH host keys', () => {
  it('reports autoescape=False (high), a missing autoescape for HTML templates (medium), not select_autoescape', async () => {
    await expectFindings(
      `import jinja2
from jinja2 import Environment, FileSystemLoader, select_autoescape
a = Environment(loader=FileSystemLoader("t"), autoescape=False)
b = Environment(loader=FileSystemLoader("t"))
c = Environment(loader=FileSystemLoader("t"), autoescape=select_autoescape(["html"]))
d = jinja2.Environment(autoescape=True)
page = b.get_template("index.html")
`,
      ['py.xss@3:high', 'py.xss@4:medium'],
    );
  });

  it('does not report an Environment without autoescape when no HTML template is loaded', async () => {
    await expectFindings(
      `from jinja2 import Environment, FileSystemLoader
env = Environment(loader=FileSystemLoader("t"))
text = env.get_template("mail.txt").render()
`,
      [],
    );
  });

  it('reports paramiko AutoAddPolicy/WarningPolicy, not RejectPolicy', async () => {
    await expectFindings(
      `import paramiko
from paramiko import AutoAddPolicy
ssh = paramiko.SSHClient()
ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())
ssh.set_missing_host_key_policy(AutoAddPolicy)
ssh.set_missing_host_key_policy(paramiko.client.WarningPolicy())
ssh.set_missing_host_key_policy(paramiko.RejectPolicy())
ssh.load_system_host_keys()
`,
      [
        'py.tls-verification-disabled@4:high',
        'py.tls-verification-disabled@5:high',
        'py.tls-verification-disabled@6:high',
      ],
    );
  });
});

describe('python: what a constant, a class or a name really says', () => {
  it('reports CERT_NONE produced by `or`, not one that is only compared', async () => {
    await expectFindings(
      `import ssl\nctx = ssl.create_default_context()\nctx.verify_mode = mode or ssl.CERT_NONE\nok = ctx.verify_mode != ssl.CERT_NONE\n`,
      ['py.tls-verification-disabled@3:high'],
    );
  });

  it('reports verification turned off in a subclass constructor, not in a stand-in class', async () => {
    await expectFindings(
      `import ssl\nclass NoVerify(ssl.SSLContext):\n    def __init__(self):\n        super().__init__()\n        self.verify_mode = ssl.CERT_NONE\nclass FakeContext:\n    def __init__(self):\n        self.verify_mode = ssl.CERT_NONE\n`,
      ['py.tls-verification-disabled@5:high'],
    );
  });

  it('reports a weak hash named for a session id, not one named for a cache key', async () => {
    await expectFindings(
      `import hashlib\ndef new_session_id(user):\n    session_id = hashlib.md5(user.encode()).hexdigest()\n    return session_id\ndef cache_key(path):\n    return hashlib.md5(path.encode()).hexdigest()\n`,
      ['py.weak-hash@3:medium'],
    );
  });

  it('takes `-c` for a script only after a shell', async () => {
    await expectFindings(
      `import subprocess\nfrom flask import request\ndef ping():\n    subprocess.run(["ping", "-c", request.args["count"], "example.com"])\n    subprocess.run(["sh", "-c", request.args["script"]])\n`,
      ['py.command-injection@5:high'],
    );
  });
});
