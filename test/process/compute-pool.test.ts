import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { createComputePool } from '../../src/compute/compute-pool.js';
import { ComputeTimeoutError } from '../../src/compute/compute.js';
import { freePort } from '../support/free-port.js';
import { createRepository } from '../support/repository-fixtures.js';
import { healthy, startLvlup } from '../support/lvlup-process.js';
import { createTestApp, eventually, registerRepository, type TestApp } from '../support/app.js';
import { gatedComputePool, manualTimer, type GatedCompute } from '../support/compute-gate.js';
import { databaseTargets } from '../support/database.js';

const VULNERABLE = 'export function run(input) {\n  return eval(input);\n}\n';

const isTimeout = (error: unknown) =>
  error instanceof ComputeTimeoutError && error.code === 'compute_timeout' && error.task === 'analyze';

for (const target of databaseTargets()) {
  describe(`the compute pool on ${target}`, { timeout: 180_000 }, () => {
    describe('one worker thread, no queue', () => {
      let t: TestApp;
      let gated: GatedCompute;

      before(async () => {
        gated = gatedComputePool({ size: 1, maxQueue: 0 });
        t = await createTestApp(target, { compute: gated.compute });
      });
      after(async () => {
        gated.open();
        await t.close();
      });

      const analyze = (code = VULNERABLE) =>
        t.request({
          method: 'POST',
          url: '/guardian/analyze',
          key: t.adminKey,
          payload: { code, file_path: 'src/run.js' },
        });

      it('answers /health while an analysis is running in the worker thread, then the analysis', async () => {
        let analysisSettled = false;
        const analysis = analyze().finally(() => (analysisSettled = true));
        // Once it arrives, the analysis is inside the worker thread, held at the gate until the test opens it.
        await Promise.race([
          gated.arrived(1),
          analysis.then((response) => {
            throw new Error(`the analysis never reached a worker thread: ${response.statusCode} ${response.body}`);
          }),
        ]);
        const health = await t.request({ method: 'GET', url: '/health' });
        assert.equal(health.statusCode, 200, health.body);
        assert.equal(analysisSettled, false, 'the analysis finished with its worker held at the gate');
        assert.deepEqual(gated.compute.stats(), { threads: 1, inFlight: 1, completed: 0 });

        // Every thread busy and no queue: more CPU work is refused at once, on every route that does it.
        const busy = [
          await analyze('const a = 1;\n'),
          await t.request({
            method: 'POST',
            url: '/imperium/optimize',
            key: t.adminKey,
            payload: { code: 'if (list.indexOf(x) !== -1) run();\n', file_path: 'src/a.js' },
          }),
          await t.request({
            method: 'POST',
            url: '/proposals',
            key: t.adminKey,
            payload: {
              ai_type: 'imperium',
              file_path: 'src/a.js',
              code_before: 'let a = 1;\n',
              code_after: 'const a = 1;\n',
            },
          }),
        ];
        for (const response of busy) {
          assert.equal(response.statusCode, 503, response.body);
          assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
          const retryAfter = Number(response.headers['retry-after']);
          assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After: ${response.headers['retry-after']}`);
          const problem = response.json<{ type: string; code: string; status: number }>();
          assert.equal(problem.code, 'server_busy');
          assert.equal(problem.type, '/problems/server_busy');
          assert.equal(problem.status, 503);
        }
        // A refused proposal was not stored.
        const stored = await t.request({ method: 'GET', url: '/proposals', key: t.adminKey });
        assert.deepEqual(stored.json(), []);

        gated.open();
        const response = await analysis;
        assert.equal(response.statusCode, 200, response.body);
        assert.deepEqual(
          response.json<{ findings: { rule_id: string; line: number }[] }>().findings.map((f) => [f.rule_id, f.line]),
          [['js.code-injection', 2]],
        );
        // With the thread free again, the next request is served.
        const next = await analyze();
        assert.equal(next.statusCode, 200, next.body);
        assert.deepEqual(gated.errors, []);
      });
    });

    describe('a task past its deadline', () => {
      let t: TestApp;
      let gated: GatedCompute;
      const timer = manualTimer();

      before(async () => {
        gated = gatedComputePool({
          size: 1,
          maxQueue: 0,
          startTimer: (onTimeout, ms) => timer.startTimer(onTimeout, ms),
        });
        gated.open();
        t = await createTestApp(target, { compute: gated.compute });
      });
      after(() => t.close());

      it('terminates the thread, fails with compute_timeout (422 on a request) and serves the next task', async () => {
        const spinning = t.request({
          method: 'POST',
          url: '/guardian/analyze',
          key: t.adminKey,
          payload: { code: 'run();\n', file_path: 'spin-forever.js' },
        });
        // Its deadline starts once its thread starts it; the thread never ends it on its own.
        await timer.running(1);
        timer.fire();
        const response = await spinning;
        assert.equal(response.statusCode, 422, response.body);
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
        const problem = response.json<{ type: string; code: string; timeout_ms: number }>();
        assert.equal(problem.code, 'compute_timeout');
        assert.equal(problem.type, '/problems/compute_timeout');
        assert.equal(problem.timeout_ms, 60_000);

        // Called directly, the same task fails with the typed error.
        const direct = gated.compute.analyze({ code: '', filePath: 'spin-forever.js' });
        await timer.running(1);
        timer.fire();
        await assert.rejects(direct, isTimeout);

        // A new thread replaced the terminated one, and it serves the next task.
        const next = await t.request({
          method: 'POST',
          url: '/guardian/analyze',
          key: t.adminKey,
          payload: { code: VULNERABLE, file_path: 'src/run.js' },
        });
        assert.equal(next.statusCode, 200, next.body);
        assert.deepEqual(
          next.json<{ findings: { rule_id: string }[] }>().findings.map((finding) => finding.rule_id),
          ['js.code-injection'],
        );
        assert.equal(timer.size, 0, 'a finished task leaves no deadline running');
        assert.deepEqual(gated.compute.stats().threads, 1);
        assert.equal(gated.compute.stats().inFlight, 0);
        assert.deepEqual(gated.errors, []);
      });
    });

    it("runs a Guardian scan's and an Imperium run's analyses on the pool's threads", async () => {
      const workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-compute-agents-')));
      const poolErrors: unknown[] = [];
      const compute = createComputePool({
        size: 1,
        maxQueue: 0,
        taskTimeoutMs: 60_000,
        onError: (error) => poolErrors.push(error),
      });
      const t = await createTestApp(target, {
        environment: { LVLUP_REPO_ROOTS: workspace, LVLUP_DATA_DIR: path.join(workspace, 'data') },
        worker: { pollIntervalMs: 100 },
        compute,
      });
      try {
        const folder = path.join(workspace, 'shop');
        await createRepository(folder, {
          'src/run.js': VULNERABLE,
          // dead code after a return: an Imperium proposal
          'src/add.js': "function add(a, b) {\n  return a + b;\n  console.log('never');\n}\nexports.add = add;\n",
          'tools/load.py': 'import yaml\n\ndef load(path):\n    return yaml.load(open(path))\n',
          'README.md': '# shop\n',
        });
        const repositoryId = await registerRepository(t, folder);
        const run = async (agent: string) => {
          const started = await t.request({
            method: 'POST',
            url: `/agents/${agent}/run`,
            key: t.adminKey,
            payload: { repository_id: repositoryId },
          });
          assert.equal(started.statusCode, 202, started.body);
          const id = started.json<{ id: string }>().id;
          return eventually(t, async () => {
            const task = (await t.request({ method: 'GET', url: `/api/v1/tasks/${id}`, key: t.adminKey })).json<{
              status: string;
              error: unknown;
              result: { files_scanned: number; findings: number; files_analysed: number; proposals_created: number };
            }>();
            if (!['succeeded', 'failed', 'cancelled'].includes(task.status)) return undefined;
            assert.equal(task.status, 'succeeded', JSON.stringify(task.error));
            return task.result;
          });
        };

        assert.equal(compute.stats().completed, 0, 'nothing ran on the pool before the scan');
        const scan = await run('guardian');
        assert.equal(scan.files_scanned, 3);
        assert.ok(scan.findings >= 2, JSON.stringify(scan));
        // One pool task per analysed file, and nothing else used the pool meanwhile.
        assert.equal(compute.stats().completed, 3);
        assert.equal(compute.stats().threads, 1);

        const imperium = await run('imperium');
        assert.equal(imperium.files_analysed, 3, JSON.stringify(imperium));
        assert.ok(imperium.proposals_created >= 1, JSON.stringify(imperium));
        // At least the engine's pass over each file, then each proposal's own pass, diff and security gate.
        assert.ok(
          compute.stats().completed >= 3 + 3 + imperium.proposals_created * 3,
          `completed: ${compute.stats().completed}`,
        );
      } finally {
        await t.close();
        await rm(workspace, { recursive: true, force: true });
      }
      assert.equal(compute.stats().threads, 0);
      assert.deepEqual(poolErrors, []);
    });

    it('terminates its worker threads when the app closes', async () => {
      const gated = gatedComputePool({ size: 2, maxQueue: 0 });
      gated.open();
      const t = await createTestApp(target, { compute: gated.compute });
      try {
        const response = await t.request({
          method: 'POST',
          url: '/guardian/analyze',
          key: t.adminKey,
          payload: { code: VULNERABLE, file_path: 'src/run.js' },
        });
        assert.equal(response.statusCode, 200, response.body);
        assert.equal(gated.compute.stats().threads, 2);
      } finally {
        await t.close();
      }
      assert.equal(gated.compute.stats().threads, 0);
      await assert.rejects(gated.compute.analyze({ code: '', filePath: 'a.js', language: 'javascript' }), /closed/);
    });
  });
}

describe('the compute pool with a tiny real deadline', () => {
  it('stops a task that never ends with compute_timeout', async () => {
    const gated = gatedComputePool({ size: 1, maxQueue: 0, taskTimeoutMs: 1 });
    gated.open();
    try {
      await assert.rejects(gated.compute.analyze({ code: '', filePath: 'spin-forever.js' }), isTimeout);
      assert.equal(gated.compute.stats().inFlight, 0);
    } finally {
      await gated.compute.close();
    }
  });
});

describe('the compute pool under bin/lvlup.js (tsx registered in the main thread only)', { timeout: 180_000 }, () => {
  it('starts its worker threads with the server and analyses in them', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'lvlup-compute-'));
    const adminKey = `lvl_${randomBytes(24).toString('hex')}`;
    const port = await freePort();
    const server = startLvlup(['serve'], folder, {
      LVLUP_DATA_DIR: path.join(folder, 'data'),
      PORT: String(port),
      LVLUP_ADMIN_API_KEY: adminKey,
      LVLUP_WORKER: 'false',
      COMPUTE_POOL_SIZE: '1',
    });
    try {
      // The server listens only once every compute thread has loaded the task module and its grammars.
      await healthy(`http://127.0.0.1:${port}`, server, 120_000);
      const response = await fetch(`http://127.0.0.1:${port}/guardian/analyze`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ code: VULNERABLE, file_path: 'src/run.js' }),
      });
      const body = await response.text();
      assert.equal(response.status, 200, body);
      const analysis = JSON.parse(body) as { findings: { rule_id: string }[] };
      assert.deepEqual(
        analysis.findings.map((finding) => finding.rule_id),
        ['js.code-injection'],
      );
    } finally {
      assert.equal(await server.stop(), 0, server.output());
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
