import { describe, it } from 'node:test';
import { expectFindings, FLASK } from './rules-test-support.js';

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
