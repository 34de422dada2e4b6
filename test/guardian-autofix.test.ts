// Guardian's automatic fixes for command execution through a shell and for passwords hashed with MD5/SHA-1:
// the fix yields the expected code, that code parses, and analysing it again no longer reports the rule.
// Where the rewrite would not be safe or equivalent, no fix is offered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits, parses, scan } from './guardian-support.js';

/** The fix of the one finding of the rule, applied; asserts the result parses and is no longer reported. */
async function fixed(code: string, file: string, rule: string): Promise<{ code: string; description: string }> {
  const findings = (await scan(code, file)).filter((f) => f.rule_id === rule);
  assert.equal(findings.length, 1, `one ${rule} finding`);
  const fix = findings[0]!.fix;
  assert.ok(fix, `${rule} offers a fix`);
  const patched = applyEdits(code, fix.edits);
  assert.ok(await parses(patched, file), `patched code parses:\n${patched}`);
  assert.deepEqual(
    (await scan(patched, file)).filter((f) => f.rule_id === rule).map((f) => f.line),
    [],
    `patched code is no longer reported:\n${patched}`,
  );
  return { code: patched, description: fix.description };
}

async function noFix(code: string, file: string, rule: string) {
  const findings = (await scan(code, file)).filter((f) => f.rule_id === rule);
  assert.ok(findings.length > 0, `${rule} is reported`);
  assert.deepEqual(
    findings.map((f) => f.fix),
    findings.map(() => undefined),
  );
}

describe('Guardian autofix: commands without a shell', () => {
  it('exec with a concatenated command becomes execFile with an argument array', async () => {
    const code =
      "const cp = require('child_process');\napp.get('/', (req, res) => {\n  cp.exec('ping -c 1 ' + req.query.host, (e, out) => res.send(out));\n});\n";
    const { code: patched } = await fixed(code, 'a.js', 'js.command-injection');
    assert.equal(
      patched.split('\n')[2],
      "  cp.execFile('ping', ['-c', '1', String(req.query.host)], (e, out) => res.send(out));",
    );
  });

  it('execSync with a template: quoted words stay one argument', async () => {
    const code =
      "import { execSync } from 'child_process';\nimport * as child_process from 'child_process';\nexport const log = (req) => child_process.execSync(`git log --format=\"%h %s\" ${req.query.ref}`);\n";
    const { code: patched } = await fixed(code, 'a.ts', 'js.command-injection');
    assert.equal(
      patched.split('\n')[2],
      "export const log = (req) => child_process.execFileSync('git', ['log', '--format=%h %s', String(req.query.ref)]);",
    );
  });

  it('spawn with shell: true loses the option and passes the words as arguments', async () => {
    const code =
      "const { spawn } = require('child_process');\napp.get('/', (req, res) => {\n  spawn('git log', ['--oneline', req.query.branch], { shell: true, cwd: '/repo' });\n});\n";
    const { code: patched } = await fixed(code, 'a.js', 'js.command-injection');
    assert.equal(patched.split('\n')[2], "  spawn('git', ['log', '--oneline', req.query.branch], { cwd: '/repo' });");
  });

  it('subprocess with shell=True and an f-string becomes an argument list', async () => {
    const code =
      'import subprocess\nfrom flask import request\n\n@app.route("/p")\ndef p():\n    subprocess.run(f"ping -c 1 {request.args[\'h\']}", shell=True, check=True)\n';
    const { code: patched, description } = await fixed(code, 'a.py', 'py.command-injection');
    assert.equal(
      patched.split('\n')[5],
      '    subprocess.run(["ping", "-c", "1", str(request.args[\'h\'])], check=True)',
    );
    assert.match(description, /shell=True/);
  });

  it('subprocess.check_output with a concatenation', async () => {
    const code =
      'import subprocess\nimport sys\n\nout = subprocess.check_output("tar -tzf " + sys.argv[1], shell=True)\n';
    const { code: patched } = await fixed(code, 'a.py', 'py.command-injection');
    assert.equal(patched.split('\n')[3], 'out = subprocess.check_output(["tar", "-tzf", str(sys.argv[1])])');
  });

  it('offers no fix when the shell reads more than words: pipes, globs, variables, builtins, single quotes', async () => {
    const js = "const cp = require('child_process');\napp.get('/', (req, res) => {\n  cp.exec(COMMAND);\n});\n";
    for (const command of [
      "'ls ' + req.query.d + ' | wc -l'",
      "'rm -f /tmp/*.' + req.query.ext",
      "'echo $HOME ' + req.query.x",
      "'cd /srv && ls ' + req.query.d",
      "`grep '${req.query.q}' file`",
      "'FOO=1 run ' + req.query.x",
    ])
      await noFix(js.replace('COMMAND', command), 'a.js', 'js.command-injection');
    await noFix(
      'import subprocess, sys\nsubprocess.run(f"ls {sys.argv[1]} > out.txt", shell=True)\n',
      'a.py',
      'py.command-injection',
    );
    await noFix(
      'import subprocess, sys\nsubprocess.run(f"ls {sys.argv[1]!r}", shell=True)\n',
      'a.py',
      'py.command-injection',
    );
    await noFix('import os, sys\nos.system("ls " + sys.argv[1])\n', 'a.py', 'py.command-injection');
  });

  it('offers no exec fix for shelljs, which has no execFile', async () => {
    await noFix(
      "const shell = require('shelljs');\napp.get('/', (req) => shell.exec('ls ' + req.query.d));\n",
      'a.js',
      'js.command-injection',
    );
  });
});

describe('Guardian autofix: password hashes', () => {
  it('Python: hashlib.md5 → scrypt with a stored salt, importing os', async () => {
    const code =
      'import hashlib\n\n\ndef store(user, password):\n    user.pw = hashlib.md5(password.encode()).hexdigest()\n';
    const { code: patched, description } = await fixed(code, 'a.py', 'py.weak-password-hash');
    assert.equal(
      patched,
      'import os\nimport hashlib\n\n\ndef store(user, password):\n    user.pw = (salt := os.urandom(16)).hex() + "$" + hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1).hex()\n',
    );
    assert.match(description, /migrated/);
  });

  it('Python: a salt name already in use is not reused; digest() keeps bytes', async () => {
    const code =
      'import os\nimport hashlib\nsalt = "x"\n\ndef store(password):\n    return hashlib.sha1(password).digest()\n';
    const { code: patched } = await fixed(code, 'a.py', 'py.weak-password-hash');
    assert.equal(
      patched.split('\n')[5],
      '    return (_salt := os.urandom(16)) + hashlib.scrypt(password, salt=_salt, n=2**14, r=8, p=1)',
    );
  });

  it('Python: bcrypt or argon2 when the file imports them', async () => {
    const bcrypt =
      'import bcrypt\nimport hashlib\n\ndef store(password):\n    return hashlib.md5(password.encode()).hexdigest()\n';
    assert.equal(
      (await fixed(bcrypt, 'a.py', 'py.weak-password-hash')).code.split('\n')[4],
      '    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()',
    );
    const argon2 =
      'import hashlib\nfrom argon2 import PasswordHasher\n\ndef store(password):\n    return hashlib.md5(password.encode()).hexdigest()\n';
    assert.equal(
      (await fixed(argon2, 'a.py', 'py.weak-password-hash')).code.split('\n')[4],
      '    return PasswordHasher().hash(password.encode())',
    );
  });

  it('Node: createHash(md5) → scryptSync with a random salt, or bcrypt when imported', async () => {
    const code =
      "const crypto = require('crypto');\nfunction store(user, password) {\n  user.hash = crypto.createHash('md5').update(password).digest('hex');\n}\n";
    const { code: patched, description } = await fixed(code, 'a.js', 'js.weak-password-hash');
    assert.equal(
      patched.split('\n')[2],
      "  user.hash = ((salt) => salt.toString('hex') + ':' + crypto.scryptSync(password, salt, 64).toString('hex'))(crypto.randomBytes(16));",
    );
    assert.match(description, /migrated/);
    const bcrypt =
      "import crypto from 'crypto';\nimport bcrypt from 'bcryptjs';\nexport const store = (password: string) => crypto.createHash('sha1').update(password).digest('hex');\n";
    assert.equal(
      (await fixed(bcrypt, 'a.ts', 'js.weak-password-hash')).code.split('\n')[2],
      'export const store = (password: string) => bcrypt.hashSync(password, 12);',
    );
  });

  it('offers no fix when the file verifies by recomputing the weak hash', async () => {
    await noFix(
      'import hashlib\n\ndef store(u, password):\n    u.pw = hashlib.md5(password.encode()).hexdigest()\n\ndef check(u, password):\n    return hashlib.md5(password.encode()).hexdigest() == u.pw\n',
      'a.py',
      'py.weak-password-hash',
    );
    await noFix(
      "const crypto = require('crypto');\nconst ok = (u, password) => crypto.createHash('md5').update(password).digest('hex') === u.hash;\n",
      'a.js',
      'js.weak-password-hash',
    );
  });
});

describe('Guardian autofix on the labeled corpus', () => {
  it('every fix offered on a corpus snippet applies to code that parses and is no longer reported there', async () => {
    const { loadCorpus, CORPUS } = await import('../bench/guardian-quality.js');
    let fixes = 0;
    for (const snippet of loadCorpus(CORPUS)) {
      for (const finding of await scan(snippet.code, snippet.file)) {
        if (!finding.fix) continue;
        fixes += 1;
        const patched = applyEdits(snippet.code, finding.fix.edits);
        assert.ok(await parses(patched, snippet.file), `${snippet.file}: ${finding.rule_id} fix parses`);
        const again = (await scan(patched, snippet.file)).filter(
          (f) =>
            f.rule_id === finding.rule_id && f.line === finding.line && f.fix?.description === finding.fix!.description,
        );
        assert.deepEqual(again, [], `${snippet.file}: ${finding.rule_id} is fixed`);
      }
    }
    assert.ok(fixes >= 10, `fixes offered on the corpus: ${fixes}`);
  });
});
