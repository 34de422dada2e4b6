// The process fallback of the Sandbox (no isolation), run for real; availability of the modes; output capture.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import {
  createSandboxRunner,
  SandboxRefusedError,
  SandboxUnavailableError,
  type SandboxRunner,
} from '../../src/sandbox/isolation/index.js';
import { OutputCapture } from '../../src/sandbox/isolation/output-capture.js';
import {
  bwrapInstalled,
  checkNothingOutsideChanged,
  commonChecks,
  isRoot,
  NETWORK_PROBE,
  newWorkTree,
  output,
  outsideDigest,
  SECRET,
  useIsolationWorld,
  world,
} from '../support/sandbox-isolation.js';

useIsolationWorld();

describe('process mode (no isolation)', () => {
  let runner: SandboxRunner;
  before(async () => {
    const created = await createSandboxRunner({ mode: 'process', hiddenPaths: [world.dataDir] });
    assert.equal(created.availability.mode, 'process');
    assert.equal(created.availability.isolation, 'none');
    assert.ok(created.availability.reason);
    runner = created.runner;
    assert.equal(runner.isolation, 'none');
  });

  commonChecks('process', () => runner);

  it('does not contain the network (documented): a local server is reached', async () => {
    const workTree = await newWorkTree();
    await writeFile(path.join(workTree, 'net.js'), NETWORK_PROBE);
    const hits = world.serverHits;
    const outcome = await runner.run({ command: `node net.js http://127.0.0.1:${world.serverPort}/`, workTree });
    assert.match(output(outcome), new RegExp(`127\\.0\\.0\\.1:${world.serverPort}/ reached`), output(outcome));
    assert.equal(world.serverHits, hits + 1);
  });

  it('runs as an unprivileged account when lvlup is root: the data folder and the environment stay out of reach', async (context) => {
    if (!isRoot) return context.skip('lvlup does not run as root here');
    const workTree = await newWorkTree();
    const before = await outsideDigest();
    const outcome = await runner.run({
      command: [
        'id -u',
        `echo owned > ${world.dataDir}/secret.txt; echo "write-data:$?"`,
        `echo owned > ${world.outsideFile}; echo "write-outside:$?"`,
        `cat /proc/${process.pid}/environ`,
      ].join('; '),
      workTree,
    });
    const text = output(outcome);
    assert.notEqual(text.split('\n')[0], '0');
    assert.match(text, /^write-data:[12]$/m);
    assert.match(text, /^write-outside:[12]$/m);
    assert.ok(!text.includes(SECRET));
    assert.equal(await outsideDigest(), before);
  });

  it('never runs a command as root: a work tree the unprivileged account cannot reach is refused', async (context) => {
    if (!isRoot) return context.skip('lvlup does not run as root here');
    const closed = path.join(world.treesDir, `closed-${++world.treeCount}`);
    await mkdir(closed, { mode: 0o700 });
    await chmod(closed, 0o700);
    const workTree = path.join(closed, 'tree');
    await mkdir(workTree);
    const proof = path.join(workTree, 'ran-as');
    await assert.rejects(
      runner.run({ command: `id -u > ${proof}`, workTree }),
      (error: unknown) => error instanceof SandboxRefusedError && /never runs commands as root/.test(error.message),
    );
    assert.equal(existsSync(proof), false, 'the command ran');
  });

  it('links read-only binds into the work tree and removes the links afterwards', async () => {
    const workTree = await newWorkTree();
    const outcome = await runner.run({
      command: `node -e "console.log(require('dep')())"`,
      workTree,
      readOnlyBinds: [{ source: world.depsDir, target: path.join(workTree, 'node_modules') }],
    });
    assert.match(output(outcome), /dependency works/, output(outcome));
    assert.equal(existsSync(path.join(workTree, 'node_modules')), false);
  });
});

describe('availability', () => {
  it('auto without bubblewrap runs nothing: unavailable, with the reason and the fix (no process fallback)', async () => {
    await assert.rejects(
      createSandboxRunner({ mode: 'auto', bwrapPath: '/nonexistent/bwrap' }),
      (error: unknown) =>
        error instanceof SandboxUnavailableError &&
        error.code === 'sandbox_unavailable' &&
        /bubblewrap not found \(\/nonexistent\/bwrap\)/.test(error.message) &&
        /install bubblewrap/.test(error.fix ?? '') &&
        /SANDBOX_MODE=process/.test(error.fix ?? ''),
    );
  });

  it('mode bwrap without bubblewrap is an error', async () => {
    await assert.rejects(
      createSandboxRunner({ mode: 'bwrap', bwrapPath: '/nonexistent/bwrap' }),
      (error: unknown) => error instanceof SandboxUnavailableError && error.code === 'sandbox_unavailable',
    );
  });

  it(
    'auto uses bubblewrap when it works',
    { skip: bwrapInstalled ? false : 'bubblewrap is not installed' },
    async () => {
      const { runner, availability } = await createSandboxRunner({ mode: 'auto' });
      assert.deepEqual(availability, { mode: 'bwrap', isolation: 'bwrap' });
      assert.equal(runner.isolation, 'bwrap');
    },
  );

  it('rejects bad limits, relative paths and work trees that would expose system folders', async () => {
    const { runner } = await createSandboxRunner({ mode: 'process' });
    const workTree = await newWorkTree();
    await assert.rejects(runner.run({ command: 'true', workTree, limits: { wallTimeMs: -1 } }), RangeError);
    await assert.rejects(runner.run({ command: 'true', workTree, limits: { processes: 1.5 } }), RangeError);
    await assert.rejects(runner.run({ command: 'true', workTree: 'relative/path' }), TypeError);
    for (const folder of ['/', '/usr', '/etc']) {
      await assert.rejects(runner.run({ command: 'true', workTree: folder }), TypeError);
    }
  });
});

describe('output capture', () => {
  it('keeps head and tail apart at character boundaries and the whole output when it fits', () => {
    const small = new OutputCapture(1000, 4, 4);
    small.push(Buffer.from('aé'));
    small.push(Buffer.from('bc€'));
    const whole = small.result();
    assert.equal(whole.head + whole.tail, 'aébc€');
    assert.equal(whole.truncated, false);

    const large = new OutputCapture(1000, 4, 4);
    large.push(Buffer.from('€€€€€€€€'));
    const cut = large.result();
    assert.equal(cut.head, '€');
    assert.equal(cut.tail, '€');
    assert.equal(cut.truncated, true);
    assert.equal(cut.bytes, 24);

    const limited = new OutputCapture(10);
    assert.equal(limited.push(Buffer.from('0123456789abc')).toString(), '0123456789');
    assert.equal(limited.exceeded, true);
    assert.equal(limited.result().truncated, true);
  });
});

checkNothingOutsideChanged();
