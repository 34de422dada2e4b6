import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasNestedQuantifier } from './redos.js';
import { analyze, summary, expectFindings, applyEdits } from './rules-test-support.js';
import { PYTHON_RULES } from './index.js';

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
