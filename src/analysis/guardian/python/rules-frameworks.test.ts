import { describe, it } from 'node:test';
import { expectFindings } from './rules-test-support.js';

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
