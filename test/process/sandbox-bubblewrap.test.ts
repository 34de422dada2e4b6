// Bubblewrap isolation, run for real (skipped only when it is not installed — CI installs it), with the
// escape attempts the Sandbox must contain.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { createSandboxRunner, type SandboxRunner } from '../../src/sandbox/isolation/index.js';
import {
  bwrapInstalled,
  checkNothingOutsideChanged,
  commonChecks,
  digest,
  NETWORK_PROBE,
  newWorkTree,
  output,
  outsideDigest,
  PYENV_PYTHON,
  SECRET,
  useIsolationWorld,
  world,
} from '../support/sandbox-isolation.js';

useIsolationWorld();

describe('bubblewrap mode', { skip: bwrapInstalled ? false : 'bubblewrap (bwrap) is not installed' }, () => {
  let runner: SandboxRunner;
  before(async () => {
    const created = await createSandboxRunner({ mode: 'bwrap', hiddenPaths: [world.dataDir] });
    assert.deepEqual(created.availability, { mode: 'bwrap', isolation: 'bwrap' });
    runner = created.runner;
    assert.equal(runner.isolation, 'bwrap');
    assert.equal(runner.mode, 'bwrap');
  });

  commonChecks('bwrap', () => runner);

  it('has no network: neither a local server nor a host name is reachable', async () => {
    const workTree = await newWorkTree();
    await writeFile(path.join(workTree, 'net.js'), NETWORK_PROBE);
    const hits = world.serverHits;
    const outcome = await runner.run({ command: `node net.js http://127.0.0.1:${world.serverPort}/`, workTree });
    const text = output(outcome);
    assert.match(text, new RegExp(`127\\.0\\.0\\.1:${world.serverPort}/ blocked`), text);
    assert.match(text, /example\.com\/ blocked/, text);
    assert.equal(world.serverHits, hits, 'the local server saw no request');
  });

  it('cannot see or write lvlup data folder, even under a bound path, nor anything outside the work tree', async () => {
    const workTree = await newWorkTree();
    const before = await outsideDigest();
    const outcome = await runner.run({
      // the whole test folder is bound read-only as a "tool path": the data folder inside stays hidden
      toolPaths: [world.base],
      command: [
        `ls -A ${world.dataDir}; echo "listed:$?"`,
        `cat ${world.dataDir}/secret.txt; echo "read:$?"`,
        `echo owned > ${world.dataDir}/secret.txt; echo "write-data:$?"`,
        `echo owned > ${world.dataDir}/new.txt; echo "create-data:$?"`,
        `cat ${world.outsideFile}; echo owned > ${world.outsideFile}; echo "write-outside:$?"`,
        `echo owned > ${path.join(world.treesDir, 'sibling.txt')}; echo "write-sibling:$?"`,
        `touch /usr/lvlup-escape; echo "write-usr:$?"`,
        `ls /root /home ${os.homedir()} 2>&1 | head -3`,
      ].join('\n'),
      workTree,
    });
    const text = output(outcome);
    assert.match(text, /^listed:0$/m, text); // an empty folder
    assert.ok(!text.includes('data folder secret'), text);
    assert.match(text, /^read:1$/m);
    assert.match(text, /^write-data:[12]$/m);
    assert.match(text, /^create-data:[12]$/m);
    assert.match(text, /outside the work tree/, 'bound paths are readable');
    assert.match(text, /^write-outside:[12]$/m);
    assert.match(text, /^write-sibling:[12]$/m);
    assert.match(text, /^write-usr:1$/m);
    assert.match(text, /Read-only file system/);
    assert.equal(await outsideDigest(), before, 'nothing outside the work tree changed');
    assert.equal(existsSync(path.join(world.treesDir, 'sibling.txt')), false);
    assert.equal(existsSync('/usr/lvlup-escape'), false);
  });

  it("cannot read the server's environment through /proc", async () => {
    const workTree = await newWorkTree();
    const outcome = await runner.run({
      command: [
        'cat /proc/1/environ',
        `cat /proc/${process.pid}/environ /proc/${process.ppid}/environ`,
        'for f in /proc/[0-9]*/environ; do cat "$f"; done',
        'ls /proc | grep -c "^[0-9]"',
      ].join('; '),
      workTree,
    });
    const text = output(outcome);
    assert.ok(!text.includes(SECRET), 'the secret leaked');
    assert.ok(!text.includes('LVLUP_TEST_SECRET'));
    assert.match(text, /Permission denied|No such file/);
  });

  it('shows read-only binds readable but not writable, and removes their mount points afterwards', async () => {
    const workTree = await newWorkTree();
    const before = await digest(path.dirname(world.depsDir));
    const outcome = await runner.run({
      command: [
        `node -e "console.log(require('dep')())"`,
        'touch node_modules/dep/new.js; echo "touch:$?"',
        'echo x >> node_modules/dep/index.js; echo "append:$?"',
      ].join('\n'),
      workTree,
      readOnlyBinds: [{ source: world.depsDir, target: path.join(workTree, 'node_modules') }],
    });
    const text = output(outcome);
    assert.match(text, /dependency works/, text);
    assert.match(text, /Read-only file system/);
    assert.match(text, /^touch:1$/m);
    assert.match(text, /^append:[12]$/m);
    assert.equal(await digest(path.dirname(world.depsDir)), before);
    assert.equal(existsSync(path.join(workTree, 'node_modules')), false, 'mount point removed');
  });

  it('gives a private /tmp that is writable and gone afterwards', async () => {
    const workTree = await newWorkTree();
    const name = `lvlup-private-${randomBytes(6).toString('hex')}`;
    const first = await runner.run({ command: `echo data > /tmp/${name} && cat /tmp/${name} && ls -A /tmp`, workTree });
    assert.equal(first.exitCode, 0, output(first));
    assert.match(first.outputHead, /^data$/m);
    assert.equal(existsSync(path.join('/tmp', name)), false);
    assert.equal(existsSync(path.join(os.tmpdir(), name)), false);
    const second = await runner.run({ command: `cat /tmp/${name}`, workTree });
    assert.notEqual(second.exitCode, 0);
  });

  it('runs npm test of a small package under the default limits', async () => {
    const workTree = await newWorkTree();
    await writeFile(
      path.join(workTree, 'package.json'),
      JSON.stringify({ name: 'tiny', version: '1.0.0', scripts: { test: 'node --test' } }),
    );
    await writeFile(
      path.join(workTree, 'sum.test.js'),
      "const test = require('node:test'); const assert = require('node:assert');\n" +
        "test('adds', () => assert.equal(require('dep')(), 'dependency works'));\n",
    );
    const outcome = await runner.run({
      command: 'npm test',
      workTree,
      readOnlyBinds: [{ source: world.depsDir, target: path.join(workTree, 'node_modules') }],
    });
    assert.equal(outcome.exitCode, 0, output(outcome));
    assert.match(output(outcome), /pass 1/);
    assert.equal(outcome.limit, null);
  });

  it('shows tool paths read-only at their place and nothing else of the home folder', async (context) => {
    if (!existsSync(path.join(PYENV_PYTHON, 'bin', 'python3'))) return context.skip(`${PYENV_PYTHON} is not here`);
    const workTree = await newWorkTree();
    const outcome = await runner.run({
      command: `python3 -c "import sys; print(sys.prefix)"; ls /root/.pyenv; touch ${PYENV_PYTHON}/x; echo "touch:$?"`,
      workTree,
      toolPaths: [PYENV_PYTHON],
    });
    const text = output(outcome);
    assert.match(text, new RegExp(`^${PYENV_PYTHON}$`, 'm'), text);
    assert.match(text, /^versions$/m);
    assert.doesNotMatch(text, /shims/);
    assert.match(text, /^touch:1$/m);
  });
});

checkNothingOutsideChanged();
