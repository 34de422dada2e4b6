import { describe, it } from 'node:test';
import { expectFindings, FLASK } from './rules-test-support.js';

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
