// The world of the sandbox isolation suites: a folder with a data folder, a file outside the work trees,
// dependencies to bind and the work trees; a local HTTP server; and the checks every isolation mode passes.
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
  DEFAULT_SANDBOX_LIMITS,
  type SandboxCommand,
  type SandboxCommandOutcome,
  type SandboxRunner,
} from '../../src/sandbox/isolation/index.js';

export const MiB = 1024 * 1024;
export const SECRET = `lvlup-test-secret-${randomBytes(8).toString('hex')}`;
process.env.LVLUP_TEST_SECRET = SECRET;
export const isRoot = process.getuid?.() === 0;
export const bwrapInstalled = ['/usr/bin/bwrap', '/bin/bwrap', '/usr/local/bin/bwrap'].some((file) => existsSync(file));
export const PYENV_PYTHON = '/root/.pyenv/versions/3.11.7';

/** Set by `useIsolationWorld` before the tests run. */
export const world = {
  base: '',
  dataDir: '',
  outsideFile: '',
  depsDir: '',
  treesDir: '',
  serverPort: 0,
  /** requests the local server answered */
  serverHits: 0,
  treeCount: 0,
  /** the digest of everything outside the work trees when the tests start */
  initialDigest: '',
};
let server: http.Server;

/** A digest of a folder: names, kinds, modes, owners, sizes, contents and link targets. */
export async function digest(root: string, skip: ReadonlySet<string> = new Set()): Promise<string> {
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
export const outsideDigest = (): Promise<string> => digest(world.base, new Set([world.treesDir]));

export async function newWorkTree(): Promise<string> {
  const workTree = path.join(world.treesDir, `tree-${++world.treeCount}`);
  await mkdir(workTree);
  await writeFile(path.join(workTree, 'README.md'), 'a work tree\n');
  return workTree;
}

/** Processes (other than this one) whose command line contains `marker`. */
export async function processesWith(marker: string): Promise<number[]> {
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

export const output = (outcome: SandboxCommandOutcome): string => outcome.outputHead + outcome.outputTail;
export const marker = (): string => `lvlup_marker_${randomBytes(6).toString('hex')}`;

/** Builds the world before the file's tests and removes it after them. */
export function useIsolationWorld(): void {
  before(async () => {
    world.base = await mkdtemp(path.join(os.tmpdir(), 'lvlup-isolation-'));
    // searchable by others, so that process mode can run commands as the unprivileged account
    await chmod(world.base, 0o755);
    world.dataDir = path.join(world.base, 'data');
    await mkdir(path.join(world.dataDir, 'pgdata'), { recursive: true });
    await writeFile(path.join(world.dataDir, 'secret.txt'), 'data folder secret\n');
    await writeFile(path.join(world.dataDir, 'pgdata', 'table'), 'rows\n');
    world.outsideFile = path.join(world.base, 'outside.txt');
    await writeFile(world.outsideFile, 'outside the work tree\n');
    world.depsDir = path.join(world.base, 'deps', 'node_modules');
    await mkdir(path.join(world.depsDir, 'dep'), { recursive: true });
    await writeFile(
      path.join(world.depsDir, 'dep', 'package.json'),
      '{"name":"dep","version":"1.0.0","main":"index.js"}',
    );
    await writeFile(path.join(world.depsDir, 'dep', 'index.js'), 'module.exports = () => "dependency works";\n');
    world.treesDir = path.join(world.base, 'trees');
    await mkdir(world.treesDir);
    await chmod(world.treesDir, 0o755);
    server = http.createServer((_request, response) => {
      world.serverHits++;
      response.end('reached');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    world.serverPort = (server.address() as AddressInfo).port;
    world.initialDigest = await outsideDigest();
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(world.base, { recursive: true, force: true });
  });
}

export const NETWORK_PROBE = `
const urls = [process.argv[2], 'http://example.com/'];
Promise.allSettled(urls.map((url) => fetch(url, { signal: AbortSignal.timeout(5000) }).then((r) => r.text()))).then(
  (results) => results.forEach((result, index) =>
    console.log(urls[index], result.status === 'fulfilled' ? 'reached' : 'blocked ' + (result.reason.cause?.code ?? result.reason.name))),
);`;

/** The checks both modes pass. */
export function commonChecks(mode: 'bwrap' | 'process', runner: () => SandboxRunner): void {
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
    // Aborted once the command shows it runs: its first output.
    const outcome = await run({
      command: 'echo started; sleep 30',
      workTree,
      signal: controller.signal,
      onOutput: () => controller.abort(),
    });
    assert.equal(outcome.aborted, true);
    assert.equal(outcome.limit, null);
    assert.equal(outcome.signal, 'SIGKILL');
  });
}

/** The last test of a file: every escape attempt before it left everything outside the work trees as it was. */
export function checkNothingOutsideChanged(): void {
  describe('after every escape attempt', () => {
    it('nothing outside the work trees changed', async () => {
      assert.equal(await outsideDigest(), world.initialDigest);
      assert.equal((await readFile(path.join(world.dataDir, 'secret.txt'), 'utf8')).trim(), 'data folder secret');
    });
  });
}
