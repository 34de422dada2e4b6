import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeCode } from '../analyze.js';
import type { Finding } from '../finding.js';
import type { Language } from '../../languages.js';
import { isCredentialName, knownFormatIn, looksLikeSecretValue, shannonEntropy } from './formats.js';
import { GUARDIAN_RULES } from '../rules.js';
import { SECRET_RULES } from './index.js';

// Fake credentials in real formats, assembled at run time so this file holds no token-shaped literal.
const join = (...parts: string[]) => parts.join('');
const AWS = join('AKIA', 'Q3W7ZT5R2YH6UJ4K');
const GITHUB = join('gh', 'p_', 'R7xK2mP9qL4vN8wT3zY6bC1dF5gH0jS2aE4u');
const GITHUB_PAT = join('github', '_pat_', '11ABCDEFG0aB3cD5eF7gH9_iJ2kL4mN6oP8qR0sT');
const SLACK = join('xo', 'xb-', '2741503362-99182736450-Zq8Wm3Kp7Rt2Yv5N');
const STRIPE = join('sk', '_live_', '4eC39HqLyjWDarjtT1zdp7dcQ2');
const GOOGLE = join('AI', 'za', 'SyB7kQm2Xv9Lp4Rt8Wn3Hc6Jd1Fg5Zs0Ye-');
const JWT = join(
  'eyJ',
  'hbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
  '.eyJ',
  'zdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ',
  '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
);
const KEY_BODY = 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0';
const PRIVATE_KEY = join('-----BEGIN RSA ', 'PRIVATE KEY-----\\n', KEY_BODY, '\\n-----END RSA PRIVATE KEY-----');
const RANDOM = 'q8Zf3LxW0pVt7Rk2Nm5Yc9';

const analyze = (code: string, filePath: string, language?: Language) =>
  analyzeCode({ code, filePath, language }, SECRET_RULES);
const ids = (findings: Finding[]) => findings.map((finding) => finding.rule_id);

describe('secret formats', () => {
  it('recognises each known format and ignores documentation values', () => {
    for (const token of [AWS, GITHUB, GITHUB_PAT, SLACK, STRIPE, GOOGLE, JWT, PRIVATE_KEY])
      assert.ok(knownFormatIn(`prefix ${token} suffix`), token);
    assert.equal(knownFormatIn(join('AKIA', 'IOSFODNN7EXAMPLE')), undefined);
    assert.equal(knownFormatIn(join('gh', 'p_', 'x'.repeat(36))), undefined);
    assert.equal(knownFormatIn('-----BEGIN PRIVATE KEY-----'), undefined);
    assert.equal(knownFormatIn(join('-----BEGIN ', 'PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----')), undefined);
    assert.equal(knownFormatIn('sk_test_4eC39HqLyjWDarjtT1zdp7dc'), undefined);
  });

  it('measures entropy and tells secrets from placeholders', () => {
    assert.equal(shannonEntropy(''), 0);
    assert.equal(shannonEntropy('aaaa'), 0);
    assert.equal(shannonEntropy('abcd'), 2);
    assert.ok(looksLikeSecretValue(RANDOM));
    for (const value of [
      '',
      'changeme',
      'short1A!',
      'xxxxxxxxxxxxxxxxxxxx',
      '<your-api-key-goes-here>',
      '${API_TOKEN_FROM_ENVIRONMENT}',
      'process.env.GITHUB_TOKEN',
      'GITHUB_TOKEN_ENVIRONMENT_NAME',
      'test-token-1234567890abcdef',
      'https://auth.example.org/oauth/token',
      'the password you chose is wrong',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    ])
      assert.equal(looksLikeSecretValue(value), false, value);
  });

  it('reads credential names in every spelling', () => {
    for (const name of [
      'password',
      'dbPassword',
      'API_KEY',
      'apiKey',
      'api-key',
      'apikey',
      'client_secret',
      'authToken',
    ])
      assert.ok(isCredentialName(name), name);
    for (const name of ['username', 'tokenizer', 'password_field', 'tokenUrl', 'secretName', 'keyboard', 'monkey'])
      assert.equal(isCredentialName(name), false, name);
  });
});

describe('secrets.known-token', () => {
  it('finds a token anywhere in JavaScript, TypeScript, TSX and Python, at its position', async () => {
    const js = await analyze(`const client = new Octokit({\n  auth: "${GITHUB}",\n});\n`, 'src/client.js');
    assert.deepEqual(ids(js), ['secrets.known-token']);
    assert.equal(js[0]!.line, 2);
    assert.equal(js[0]!.column, 9);
    assert.equal(js[0]!.confidence, 'high');
    assert.equal(js[0]!.cwe, 'CWE-798');
    assert.match(js[0]!.message, /GitHub token/);
    assert.ok(!js[0]!.message.includes(GITHUB), 'the message never repeats the secret');

    const ts = await analyze(`export const config = { region: 'eu-west-1', key: \`${AWS}\` };\n`, 'config.ts');
    assert.deepEqual(ids(ts), ['secrets.known-token']);
    const tsx = await analyze(`export const App = () => <Map apiKey="${GOOGLE}" />;\n`, 'App.tsx');
    assert.deepEqual(ids(tsx), ['secrets.known-token']);
    const py = await analyze(`import stripe\n\nstripe.api_key = '${STRIPE}'\n`, 'billing.py');
    assert.deepEqual(ids(py), ['secrets.known-token']);
    assert.equal(py[0]!.line, 3);
    assert.equal(py[0]!.column, 18);
    const key = await analyze(`KEY = """${PRIVATE_KEY.replaceAll('\\n', '\n')}"""\n`, 'keys.py');
    assert.deepEqual(ids(key), ['secrets.known-token']);
    assert.match(key[0]!.message, /private key/);
    for (const token of [GITHUB_PAT, SLACK, JWT]) {
      const found = await analyze(`headers = {"Authorization": "Bearer ${token}"}\n`, 'api.py');
      assert.deepEqual(ids(found), ['secrets.known-token'], token);
    }
  });

  it('leaves environment reads, placeholders, templates and f-strings alone (safe twins)', async () => {
    const js = await analyze(
      [
        'const client = new Octokit({ auth: process.env.GITHUB_TOKEN });',
        `const example = "${join('AKIA', 'IOSFODNN7EXAMPLE')}";`,
        'const fromTemplate = `ghp_${suffix}`;',
        "if (pem.startsWith('-----BEGIN RSA PRIVATE KEY-----')) load(pem);",
      ].join('\n'),
      'src/client.js',
    );
    assert.deepEqual(js, []);
    const py = await analyze(`token = os.environ["GITHUB_TOKEN"]\nurl = f"https://x/{token}"\n`, 'api.py');
    assert.deepEqual(py, []);
  });
});

describe('secrets.hard-coded-credential', () => {
  it('finds random constants given to credential names, with medium confidence', async () => {
    const js = await analyze(
      [
        `const password = "${RANDOM}";`,
        `config.apiKey = '${RANDOM}';`,
        `connect({ client_secret: "${RANDOM}" });`,
        `class Db { dbPassword = "${RANDOM}"; }`,
        `function login(token = "${RANDOM}") {}`,
        `if (input.password === "${RANDOM}") grant();`,
      ].join('\n'),
      'src/db.js',
    );
    assert.deepEqual(
      js.map((finding) => [finding.rule_id, finding.line, finding.confidence]),
      [1, 2, 3, 4, 5, 6].map((line) => ['secrets.hard-coded-credential', line, 'medium']),
    );
    assert.match(js[0]!.message, /`password`/);
    assert.match(js[5]!.message, /compared/);

    const py = await analyze(
      [
        `DB_PASSWORD = "${RANDOM}"`,
        `settings["secret_key"] = '${RANDOM}'`,
        `client = Client(api_key="${RANDOM}")`,
        `def connect(password: str = "${RANDOM}"): ...`,
        `config = {"auth_token": r"${RANDOM}"}`,
        `self.token: str = ("${RANDOM}")`,
      ].join('\n'),
      'settings.py',
    );
    assert.deepEqual(
      py.map((finding) => [finding.rule_id, finding.line]),
      [1, 2, 3, 4, 5, 6].map((line) => ['secrets.hard-coded-credential', line]),
    );
  });

  it('leaves placeholders, short values, descriptive names and non-credentials alone (safe twins)', async () => {
    const js = await analyze(
      [
        'const password = "";',
        'const password2 = "changeme";',
        'const apiKey = process.env.API_KEY;',
        'const token = `${prefix}-${suffix}`;',
        `const username = "${RANDOM}";`,
        `const passwordField = "${RANDOM}";`,
        'const secret = "<insert-secret-here>";',
        'const apiToken = "short";',
        'const tokenName = "GITHUB_TOKEN";',
      ].join('\n'),
      'src/db.js',
    );
    assert.deepEqual(js, []);
    const py = await analyze(
      [
        'password = os.environ["DB_PASSWORD"]',
        'api_key = ""',
        'token = f"{prefix}{suffix}xxxxxxxxxxxxxxxx"',
        `user = "${RANDOM}"`,
        'secret = "your-secret-here-please-change"',
        'connect(password=getpass())',
      ].join('\n'),
      'settings.py',
    );
    assert.deepEqual(py, []);
  });

  it('offers an environment-variable fix in JavaScript and in Python that imports os', async () => {
    const code = `const dbPassword = "${RANDOM}";\n`;
    const [finding] = await analyze(code, 'db.js');
    assert.ok(finding?.fix);
    const edit = finding.fix.edits[0]!;
    assert.equal(
      code.slice(0, edit.start) + edit.replacement + code.slice(edit.end),
      'const dbPassword = process.env.DB_PASSWORD;\n',
    );

    const python = `import os\n\nAPI_KEY = '${RANDOM}'\n`;
    const [pyFinding] = await analyze(python, 'app.py');
    assert.deepEqual(pyFinding?.fix?.edits, [
      { start: python.indexOf("'"), end: python.length - 1, replacement: 'os.environ["API_KEY"]' },
    ]);
    const [withoutOs] = await analyze(`API_KEY = '${RANDOM}'\n`, 'app.py');
    assert.equal(withoutOs?.fix, undefined);
    const [typed] = await analyze(`const dbPassword: string = "${RANDOM}";\n`, 'db.ts');
    assert.equal(typed?.fix, undefined);
  });

  it('honours suppression comments', async () => {
    const js = await analyze(`const password = "${RANDOM}"; // lvlup-ignore secrets.hard-coded-credential\n`, 'a.js');
    assert.deepEqual(js, []);
    const py = await analyze(`# lvlup-ignore\nsecret = "${RANDOM}"\n`, 'a.py');
    assert.deepEqual(py, []);
    const other = await analyze(`const password = "${RANDOM}"; // lvlup-ignore js.sql-injection\n`, 'a.js');
    assert.equal(other.length, 1);
  });

  it('survives broken syntax, deep nesting and large files', async () => {
    const broken = await analyze(`const password = "${RANDOM}";\nfunction (( {{ \n`, 'broken.js');
    assert.deepEqual(ids(broken), ['secrets.hard-coded-credential']);
    const deep = await analyze(`x = ${'['.repeat(20_000)}"${GITHUB}"${']'.repeat(20_000)}\n`, 'deep.py');
    assert.deepEqual(ids(deep), ['secrets.known-token']);
    const deepJs = await analyze(`const x = ${'{a:'.repeat(5_000)}"${GITHUB}"${'}'.repeat(5_000)};`, 'deep.js');
    assert.deepEqual(ids(deepJs), ['secrets.known-token']);
    const large = `const password = "${RANDOM}";\n` + 'const value = "just some text";\n'.repeat(6_500);
    assert.ok(large.length > 200_000);
    assert.equal((await analyze(large, 'large.js')).length, 1);
  });
});

describe('secrets.hard-coded-credential labels', () => {
  it('does not take a lowercase hyphenated phrase in test code for a token, but keeps passphrases and random tokens', async () => {
    const labels = `const fixture = { token: 'expired-access-token', refreshToken: 'should-not-be-called' };`;
    assert.deepEqual(ids(await analyze(labels, 'a.test.js')), []);
    assert.deepEqual(ids(await analyze(labels, 'test/fixtures/users.js')), []);
    // in application code the same phrase is a guessable secret
    const defaultSecret = `const sessionSecret = 'glacier-mumbo-wizard-quokka-jury';`;
    assert.deepEqual(ids(await analyze(defaultSecret, 'src/app.js')), ['secrets.hard-coded-credential']);
    const passphrase = `const dbPassword = 'glacier-mumbo-wizard-quokka-jury';`;
    assert.deepEqual(ids(await analyze(passphrase, 'a.js')), ['secrets.hard-coded-credential']);
    const token = `const apiToken = 'f3k9-x7Qa-2mLp-8zRt';`;
    assert.deepEqual(ids(await analyze(token, 'a.js')), ['secrets.hard-coded-credential']);
  });
});

describe('one literal, one hard-coded secret finding', () => {
  it('reports a high-entropy key once, by the credential rule, not again where an API takes it', async () => {
    const code = `const jwt = require('jsonwebtoken');\nconst JWT_SECRET = 'Zx9pQ2rT7vLm4KbN8sWd3FgH';\njwt.sign({ id: 1 }, JWT_SECRET);\njwt.sign({ id: 2 }, 'dev');\n`;
    const findings = await analyzeCode({ code, filePath: 'src/app.js' }, GUARDIAN_RULES);
    assert.deepEqual(
      findings.map((finding) => `${finding.rule_id}@${finding.line}`),
      ['secrets.hard-coded-credential@2', 'js.hard-coded-secret-key@4'],
    );
    const python = `import jwt\nJWT_SECRET = 'Zx9pQ2rT7vLm4KbN8sWd3FgH'\njwt.encode({'id': 1}, JWT_SECRET)\njwt.encode({'id': 2}, 'dev')\n`;
    const pythonFindings = await analyzeCode({ code: python, filePath: 'app/tokens.py' }, GUARDIAN_RULES);
    assert.deepEqual(
      pythonFindings.map((finding) => `${finding.rule_id}@${finding.line}`),
      ['secrets.hard-coded-credential@2', 'py.hard-coded-secret@4'],
    );
  });
});
