import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectFindings, FLASK } from './rules-test-support.js';
import { PYTHON_RULES } from './index.js';
import { analyzeCode } from '../analyze.js';

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

describe('python: bindings that a branch may skip', () => {
  it('keeps request data tainted after a falsy default (`if not param: param = ""`), not when every branch rebinds', async () => {
    await expectFindings(
      FLASK +
        `app = Flask(__name__)

@app.post("/a")
def a():
    param = request.form.get("a")
    if not param:
        param = ""
    os.system("echo " + param)
    return "ok"

@app.post("/b")
def b():
    param = request.form.get("b")
    if not param:
        param = ""
    else:
        param = "fixed"
    os.system("echo " + param)
    return "ok"
`,
      ['py.command-injection@10:high'],
    );
  });

  it('reports a Flask handler returning request data formatted into text (served as HTML), not escaped text', async () => {
    await expectFindings(
      FLASK +
        `from markupsafe import escape
app = Flask(__name__)

@app.get("/hello")
def hello():
    name = request.args.get("name")
    return f"Hello {name}"

@app.get("/safe")
def safe():
    name = request.args.get("name")
    return f"Hello {escape(name)}"
`,
      ['py.xss@9:high'],
    );
  });
});

describe('python: constant conditions', () => {
  it('takes only the branch a constant condition selects (conditional expressions, if/elif/else, string indexing)', async () => {
    await expectFindings(
      FLASK +
        `app = Flask(__name__)

@app.post("/a")
def a():
    param = request.form.get("a", "")
    num = 86
    bar = "safe" if 7 * 18 + num > 200 else param
    os.system(bar)
    bar2 = param if 7 * 18 + num > 200 else "safe"
    os.system(bar2)
    if 5 > 10:
        bar3 = param
    else:
        bar3 = "ok"
    os.system(bar3)
    target = "ABC"[1]
    if target == "A":
        bar4 = param
    elif target == "B":
        bar4 = "bob"
    else:
        bar4 = param
    os.system(bar4)
    if num > 10:
        bar5 = param
    os.system(bar5)
    return "ok"
`,
      ['py.command-injection@12:high', 'py.command-injection@28:high'],
    );
  });
});
