// The sandbox's isolation layer, run for real: bubblewrap (skipped only when it is not installed — CI
// installs it) and the process fallback, each with the escape attempts the Sandbox must contain.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createSandboxRunner,
  DEFAULT_SANDBOX_LIMITS,
  SandboxRefusedError,
  SandboxUnavailableError,
  type SandboxCommand,
  type SandboxCommandOutcome,
  type SandboxRunner,
} from '../../src/sandbox/isolation/index.js';
import { OutputCapture } from '../../src/sandbox/isolation/output-capture.js';

const MiB = 1024 * 1024;
const SECRET = `lvlup-test-secret-${randomBytes(8).toString('hex')}`;
process.env.LVLUP_TEST_SECRET = SECRET;
const isRoot = process.getuid?.() === 0;
const bwrapInstalled = ['/usr/bin/bwrap', '/bin/bwrap', '/usr/local/bin/bwrap'].some((file) => existsSync(file));
const PYENV_PYTHON = '/root/.pyenv/versions/3.11.7';

let base: string;
let dataDir: string;
let outsideFile: string;
let depsDir: string;
let treesDir: string;
let server: http.Server;
let serverPort: number;
let serverHits = 0;
let treeCount = 0;
/** the digest of everything outside the work trees when the tests start */
let initialDigest: string;

/** A digest of a folder: names, kinds, modes, owners, sizes, contents and link targets. */
async function digest(root: string, skip: ReadonlySet<string> = new Set()): Promise<string> {
  const hash = createHash('sha256');
  const visit = async (folder: string): Promise<void> => {
    for (const name of (await readdir(folder)).sort()) {
      const file = path.join(folder, name);
      if (skip.has(file)) continue;
      const stats = await lstat(file);
      hash.update(`${path.relative(root, file)}|${stats.mode}|${stats.uid}|${stats.gid}|${stats.size}|`);
      if (stats.isDirectory()) await visit(file);
      else if (stats.isSymbolicLink()) hash.update(await readlink(file));
      else hash.update(await readFile(file));
    }
  };
  await visit(root);
  return hash.digest('hex');
}

/** Everything outside the work trees. */
const outsideDigest = (): Promise<string> => digest(base, new Set([treesDir]));

async function newWorkTree(): Promise<string> {
  const workTree = path.join(treesDir, `tree-${++treeCount}`);
  await mkdir(workTree);
  await writeFile(path.join(workTree, 'README.md'), 'a work tree\n');
  return workTree;
}

/** Processes (other than this one) whose command line contains `marker`. */
async function processesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const commandLine = (await readFile(`/proc/${name}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      const state = /^\d+ \(.*\) (\S)/s.exec(await readFile(`/proc/${name}/stat`, 'utf8'))?.[1];
      if (commandLine.includes(marker) && state !== 'Z') found.push(Number(name));
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

const output = (outcome: SandboxCommandOutcome): string => outcome.outputHead + outcome.outputTail;
const marker = (): string => `lvlup_marker_${randomBytes(6).toString('hex')}`;

before(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'lvlup-isolation-'));
  // searchable by others, so that process mode can run commands as the unprivileged account
  await chmod(base, 0o755);
  dataDir = path.join(base, 'data');
  await mkdir(path.join(dataDir, 'pgdata'), { recursive: true });
  await writeFile(path.join(dataDir, 'secret.txt'), 'data folder secret\n');
  await writeFile(path.join(dataDir, 'pgdata', 'table'), 'rows\n');
  outsideFile = path.join(base, 'outside.txt');
  await writeFile(outsideFile, 'outside the work tree\n');
  depsDir = path.join(base, 'deps', 'node_modules');
  await mkdir(path.join(depsDir, 'dep'), { recursive: true });
  await writeFile(path.join(depsDir, 'dep', 'package.json'), '{"name":"dep","version":"1.0.0","main":"index.js"}');
  await writeFile(path.join(depsDir, 'dep', 'index.js'), 'module.exports = () => "dependency works";\n');
  treesDir = path.join(base, 'trees');
  await mkdir(treesDir);
  await chmod(treesDir, 0o755);
  server = http.createServer((_request, response) => {
    serverHits++;
    response.end('reached');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverPort = (server.address() as AddressInfo).port;
  initialDigest = await outsideDigest();
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(base, { recursive: true, force: true });
});

const NETWORK_PROBE = `
const urls = [process.argv[2], 'http://example.com/'];
Promise.allSettled(urls.map((url) => fetch(url, { signal: AbortSignal.timeout(5000) }).then((r) => r.text()))).then(
  (results) => results.forEach((result, index) =>
    console.log(urls[index], result.status === 'fulfilled' ? 'reached' : 'blocked ' + (result.reason.cause?.code ?? result.reason.name))),
);`;

/** The checks both modes pass. */
function commonChecks(mode: 'bwrap' | 'process', runner: () => SandboxRunner): void {
  const run = (command: SandboxCommand): Promise<SandboxCommandOutcome> => runner().run(command);

  it('captures exit codes and output, reports its isolation', async () => {
    const workTree = await newWorkTree();
    const outcome = await run({ command: 'echo to-stdout; echo to-stderr >&2; exit 3', workTree });
    assert.equal(outcome.exitCode, 3);
    assert.equal(outcome.signal, null);
    assert.equal(outcome.limit, null);
    assert.match(output(outcome), /to-stdout/);
    assert.match(output(outcome), /to-stderr/);
    assert.equal(outcome.truncated, false);
    assert.equal(outcome.isolation, mode === 'bwrap' ? 'bwrap' : 'none');
    const ok = await run({ command: 'node -e "console.log(6 * 7)"', workTree });
    assert.equal(ok.exitCode, 0, output(ok));
    assert.equal(ok.outputHead.trim(), '42');
  });

  it('reduces the environment to the allow-list plus what the caller adds', async () => {
    const workTree = await newWorkTree();
    const outcome = await run({ command: 'env', workTree, environment: { EXTRA_SETTING: 'yes' } });
    const text = output(outcome);
    assert.ok(!text.includes(SECRET), 'the server environment secret is visible');
    assert.ok(!text.includes('LVLUP_TEST_SECRET'));
    assert.match(text, /^CI=1$/m);
    assert.match(text, /^EXTRA_SETTING=yes$/m);
    assert.match(text, /^PATH=/m);
  });

  it('keeps what the command writes in the work tree, owned as before', async () => {
    const workTree = await newWorkTree();
    const outcome = await run({ command: 'mkdir -p out && echo built > out/result.txt && id -u', workTree });
    assert.equal(outcome.exitCode, 0, output(outcome));
    assert.equal(await readFile(path.join(workTree, 'out', 'result.txt'), 'utf8'), 'built\n');
    for (const file of [workTree, path.join(workTree, 'out'), path.join(workTree, 'out', 'result.txt')]) {
      assert.equal((await lstat(file)).uid, process.getuid?.(), `${file} is owned by lvlup's account again`);
    }
  });

  it('kills an endless loop at the wall time', async () => {
    const workTree = await newWorkTree();
    const tag = marker();
    const outcome = await run({
      command: `${tag}=1; while :; do :; done`,
      workTree,
      limits: { wallTimeMs: 1500 },
    });
    assert.equal(outcome.limit, 'time');
    assert.equal(outcome.exitCode, null);
    assert.equal(outcome.signal, 'SIGKILL');
    assert.deepEqual(await processesWith(tag), []);
  });

  it('stops gigabytes of output at the output limit and keeps a bounded head and tail', async () => {
    const workTree = await newWorkTree();
    const before = await outsideDigest();
    const outcome = await run({ command: 'yes lvlup-output-flood', workTree });
    assert.equal(outcome.limit, 'output');
    assert.ok(outcome.outputBytes >= DEFAULT_SANDBOX_LIMITS.outputBytes);
    assert.ok(outcome.outputBytes < DEFAULT_SANDBOX_LIMITS.outputBytes + 4 * MiB, `${outcome.outputBytes} bytes`);
    assert.equal(outcome.truncated, true);
    assert.ok(Buffer.byteLength(outcome.outputHead) <= 32 * 1024);
    assert.ok(Buffer.byteLength(outcome.outputTail) <= 32 * 1024);
    assert.match(outcome.outputHead, /^lvlup-output-flood\n/);
    assert.match(outcome.outputTail, /lvlup-output-flood\n/);

    const streamed: string[] = [];
    const flood = await run({
      command: `node -e "const b = Buffer.alloc(1 << 20, 'é'); const w = () => { while (process.stdout.write(b)); process.stdout.once('drain', w); }; w()"`,
      workTree,
      limits: { outputBytes: 2 * MiB },
      onOutput: (chunk) => streamed.push(chunk),
    });
    assert.equal(flood.limit, 'output');
    assert.ok(!output(flood).includes('\uFFFD'), 'head and tail are cut at character boundaries');
    assert.ok(streamed.join('').length > 0);
    assert.ok(Buffer.byteLength(streamed.join('')) <= 2 * MiB);
    assert.equal(await outsideDigest(), before);
  });

  it('fails a 4 GB allocation (node and python) and still runs normal programs', async () => {
    const workTree = await newWorkTree();
    const allocationFailed = (outcome: SandboxCommandOutcome): boolean =>
      outcome.limit === 'memory' ||
      (outcome.exitCode !== 0 && /allocation failed|MemoryError|out of memory/i.test(output(outcome)));
    const node = await run({ command: 'node -e "Buffer.alloc(4 * 2 ** 30, 1)"', workTree });
    assert.ok(allocationFailed(node), JSON.stringify(node));
    const python = await run({ command: 'python3 -c "b = bytearray(4 * 1024 ** 3)"', workTree });
    assert.ok(allocationFailed(python), JSON.stringify(python));
    // Growing step by step is stopped by the watch over the tree's memory.
    const growing = await run({
      command: `node -e "const a = []; for (let i = 0; i < 64; i++) a.push(Buffer.alloc(64 * 2 ** 20, 1))"`,
      workTree,
      limits: { memoryBytes: 384 * MiB },
    });
    assert.ok(allocationFailed(growing), JSON.stringify(growing));
    assert.ok(growing.peakMemoryBytes! < 2 * 1024 * MiB);
    const fine = await run({ command: 'node -e "console.log(Buffer.alloc(64 * 2 ** 20, 1).length)"', workTree });
    assert.equal(fine.exitCode, 0, output(fine));
    assert.equal(fine.outputHead.trim(), String(64 * MiB));
  });

  it('contains a fork bomb quickly and leaves no process behind', async (context) => {
    const workTree = await newWorkTree();
    if (mode === 'process' && isRoot) {
      // Without the switch to an unprivileged account RLIMIT_NPROC would not bind root.
      const who = await run({ command: 'id -u', workTree });
      if (who.outputHead.trim() === '0') return context.skip('process mode runs as root here');
    }
    const tag = marker();
    const outcome = await run({
      command: `${tag}() { ${tag} | ${tag} & }; ${tag}; sleep 60`,
      workTree,
      limits: { processes: 64, wallTimeMs: 4000 },
    });
    assert.ok(outcome.limit === 'processes' || outcome.limit === 'time', JSON.stringify(outcome.limit));
    assert.deepEqual(await processesWith(tag), []);
    // The machine still forks.
    const after = await run({ command: 'sh -c "echo still fine"', workTree });
    assert.equal(after.outputHead.trim(), 'still fine');
  });

  it('kills the tree when it reaches the processes limit', async () => {
    const workTree = await newWorkTree();
    const tag = marker();
    const outcome = await run({
      // slowly enough that the watch sees the limit before the kernel refuses forks (a little above it)
      command: `for i in $(seq 1 40); do sh -c "sleep 30; : ${tag}" & sleep 0.2; done; wait`,
      workTree,
      limits: { processes: 20, wallTimeMs: 20_000 },
    });
    assert.equal(outcome.limit, 'processes');
    assert.deepEqual(await processesWith(tag), []);
  });

  it('kills background processes left when the command ends', async () => {
    const workTree = await newWorkTree();
    const tag = marker();
    const outcome = await run({ command: `(sleep 60; : ${tag}) & echo started`, workTree });
    assert.equal(outcome.exitCode, 0);
    assert.deepEqual(await processesWith(tag), []);
  });

  it('stops on abort and returns the outcome', async () => {
    const workTree = await newWorkTree();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const outcome = await run({ command: 'sleep 30', workTree, signal: controller.signal });
    assert.equal(outcome.aborted, true);
    assert.equal(outcome.limit, null);
    assert.equal(outcome.signal, 'SIGKILL');
  });
}

describe('bubblewrap mode', { skip: bwrapInstalled ? false : 'bubblewrap (bwrap) is not installed' }, () => {
  let runner: SandboxRunner;
  before(async () => {
    const created = await createSandboxRunner({ mode: 'bwrap', hiddenPaths: [dataDir] });
    assert.deepEqual(created.availability, { mode: 'bwrap', isolation: 'bwrap' });
    runner = created.runner;
    assert.equal(runner.isolation, 'bwrap');
    assert.equal(runner.mode, 'bwrap');
  });

  commonChecks('bwrap', () => runner);

  it('has no network: neither a local server nor a host name is reachable', async () => {
    const workTree = await newWorkTree();
    await writeFile(path.join(workTree, 'net.js'), NETWORK_PROBE);
    const hits = serverHits;
    const outcome = await runner.run({ command: `node net.js http://127.0.0.1:${serverPort}/`, workTree });
    const text = output(outcome);
    assert.match(text, new RegExp(`127\\.0\\.0\\.1:${serverPort}/ blocked`), text);
    assert.match(text, /example\.com\/ blocked/, text);
    assert.equal(serverHits, hits, 'the local server saw no request');
  });

  it('cannot see or write lvlup data folder, even under a bound path, nor anything outside the work tree', async () => {
    const workTree = await newWorkTree();
    const before = await outsideDigest();
    const outcome = await runner.run({
      // the whole test folder is bound read-only as a "tool path": the data folder inside stays hidden
      toolPaths: [base],
      command: [
        `ls -A ${dataDir}; echo "listed:$?"`,
        `cat ${dataDir}/secret.txt; echo "read:$?"`,
        `echo owned > ${dataDir}/secret.txt; echo "write-data:$?"`,
        `echo owned > ${dataDir}/new.txt; echo "create-data:$?"`,
        `cat ${outsideFile}; echo owned > ${outsideFile}; echo "write-outside:$?"`,
        `echo owned > ${path.join(treesDir, 'sibling.txt')}; echo "write-sibling:$?"`,
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
    assert.equal(existsSync(path.join(treesDir, 'sibling.txt')), false);
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
    const before = await digest(path.dirname(depsDir));
    const outcome = await runner.run({
      command: [
        `node -e "console.log(require('dep')())"`,
        'touch node_modules/dep/new.js; echo "touch:$?"',
        'echo x >> node_modules/dep/index.js; echo "append:$?"',
      ].join('\n'),
      workTree,
      readOnlyBinds: [{ source: depsDir, target: path.join(workTree, 'node_modules') }],
    });
    const text = output(outcome);
    assert.match(text, /dependency works/, text);
    assert.match(text, /Read-only file system/);
    assert.match(text, /^touch:1$/m);
    assert.match(text, /^append:[12]$/m);
    assert.equal(await digest(path.dirname(depsDir)), before);
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
      readOnlyBinds: [{ source: depsDir, target: path.join(workTree, 'node_modules') }],
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

describe('process mode (no isolation)', () => {
  let runner: SandboxRunner;
  before(async () => {
    const created = await createSandboxRunner({ mode: 'process', hiddenPaths: [dataDir] });
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
    const hits = serverHits;
    const outcome = await runner.run({ command: `node net.js http://127.0.0.1:${serverPort}/`, workTree });
    assert.match(output(outcome), new RegExp(`127\\.0\\.0\\.1:${serverPort}/ reached`), output(outcome));
    assert.equal(serverHits, hits + 1);
  });

  it('runs as an unprivileged account when lvlup is root: the data folder and the environment stay out of reach', async (context) => {
    if (!isRoot) return context.skip('lvlup does not run as root here');
    const workTree = await newWorkTree();
    const before = await outsideDigest();
    const outcome = await runner.run({
      command: [
        'id -u',
        `echo owned > ${dataDir}/secret.txt; echo "write-data:$?"`,
        `echo owned > ${outsideFile}; echo "write-outside:$?"`,
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
    const closed = path.join(treesDir, `closed-${++treeCount}`);
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
      readOnlyBinds: [{ source: depsDir, target: path.join(workTree, 'node_modules') }],
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

describe('after every escape attempt', () => {
  it('nothing outside the work trees changed', async () => {
    assert.equal(await outsideDigest(), initialDigest);
    assert.equal((await readFile(path.join(dataDir, 'secret.txt'), 'utf8')).trim(), 'data folder secret');
  });
});
