import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checksKey, detectChecks } from './checks.js';

const reader = (files: Record<string, string>) => async (relativePath: string) => files[relativePath];

describe('check detection', () => {
  it('takes build, lint and test scripts from package.json, in that order', async () => {
    const scripts = { test: 'node --test', lint: 'eslint .', build: 'tsc', start: 'node server.js' };
    assert.deepEqual(await detectChecks(reader({ 'package.json': JSON.stringify({ scripts }) })), [
      'npm run build',
      'npm run lint',
      'npm test',
    ]);
  });

  it("ignores npm init's placeholder test script and unreadable package.json", async () => {
    const placeholder = { scripts: { test: 'echo "Error: no test specified" && exit 1' } };
    assert.deepEqual(await detectChecks(reader({ 'package.json': JSON.stringify(placeholder) })), []);
    assert.deepEqual(await detectChecks(reader({ 'package.json': '{ not json' })), []);
  });

  it('finds pytest from its configuration, not from the mere presence of Python files', async () => {
    assert.deepEqual(await detectChecks(reader({ 'pyproject.toml': '[tool.pytest.ini_options]\n' })), [
      'python3 -m pytest -q',
    ]);
    assert.deepEqual(await detectChecks(reader({ 'setup.cfg': '[tool:pytest]\naddopts = -q\n' })), [
      'python3 -m pytest -q',
    ]);
    assert.deepEqual(await detectChecks(reader({ 'conftest.py': '' })), ['python3 -m pytest -q']);
    assert.deepEqual(await detectChecks(reader({ 'pyproject.toml': '[project]\nname = "x"\n', 'app.py': '' })), []);
  });

  it('uses a Makefile test target only when nothing more specific exists', async () => {
    assert.deepEqual(await detectChecks(reader({ Makefile: 'build:\n\tcc x.c\ntest: build\n\t./run\n' })), [
      'make test',
    ]);
    assert.deepEqual(await detectChecks(reader({ Makefile: 'test := 1\n' })), []);
    const both = { Makefile: 'test:\n\tnpm test\n', 'package.json': JSON.stringify({ scripts: { test: 'x' } }) };
    assert.deepEqual(await detectChecks(reader(both)), ['npm test']);
  });

  it('runs Go and Rust tests from their manifests', async () => {
    assert.deepEqual(await detectChecks(reader({ 'go.mod': 'module x\n', 'Cargo.toml': '[package]\n' })), [
      'go test ./...',
      'cargo test --offline',
    ]);
  });

  it('keys a command list by its exact content and order', () => {
    assert.equal(checksKey(['a', 'b']), checksKey(['a', 'b']));
    assert.notEqual(checksKey(['a', 'b']), checksKey(['b', 'a']));
  });
});
