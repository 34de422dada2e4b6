// GET /health latency on a listening lvlup while three 1 MB POST /guardian/analyze requests are kept in
// flight, with the compute pool (default size) and with the work inline on the event loop
// (COMPUTE_POOL_SIZE=0) as the baseline, one after the other in one invocation.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { load, serve, writeResult, type LoadResult } from './support.js';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 4);
const durationSeconds = Number(process.env.BENCH_DURATION ?? 10);
const ANALYSES = 3;
/** The route takes at most 1,000,000 characters. */
const CODE_CHARACTERS = 999_000;
const adminKey = `lvl_${randomBytes(24).toString('hex')}`;

/**
 * One large, ordinary JavaScript file: request handlers with filters, sums and branches. Few findings, so
 * what is measured is parsing and the rules' walks, not the size of the answer.
 */
function largeFile(): string {
  let code = '';
  for (let index = 0; code.length < CODE_CHARACTERS; index++) {
    code +=
      `export function handler${index}(req, res) {\n` +
      `  const items = req.body.items.filter((item) => item.price > ${index % 97});\n` +
      '  const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0);\n' +
      `  if (total > ${1000 + index}) {\n` +
      "    res.status(400).json({ error: 'too large', total });\n" +
      '    return;\n' +
      '  }\n' +
      '  res.json({ total, count: items.length });\n' +
      '}\n';
  }
  return code.slice(0, code.lastIndexOf('}\n', CODE_CHARACTERS) + 2);
}

interface AnalysisFigures {
  readonly completed: number;
  readonly busy: number;
  readonly failed: number;
  readonly median_seconds: number | null;
}

/** Keeps `ANALYSES` analyses in flight until `stop()`; answers what became of them. */
function keepAnalysing(url: string, body: string) {
  let stopping = false;
  const seconds: number[] = [];
  let busy = 0;
  let failed = 0;
  const loop = async () => {
    while (!stopping) {
      const started = performance.now();
      const response = await fetch(`${url}/guardian/analyze`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body,
      });
      await response.arrayBuffer();
      if (response.status === 200) seconds.push((performance.now() - started) / 1000);
      else if (response.status === 503) busy += 1;
      else failed += 1;
    }
  };
  const loops = Array.from({ length: ANALYSES }, loop);
  return {
    async stop(): Promise<AnalysisFigures> {
      stopping = true;
      await Promise.all(loops);
      const sorted = [...seconds].sort((a, b) => a - b);
      const median = sorted.length ? sorted[Math.floor(sorted.length / 2)]! : null;
      return {
        completed: seconds.length,
        busy,
        failed,
        median_seconds: median === null ? null : Math.round(median * 100) / 100,
      };
    },
  };
}

/** One /health at a time until `stop()`, each waited for however long it takes: the longest wait. */
function probeHealth(url: string) {
  let stopping = false;
  const waits: number[] = [];
  const loop = (async () => {
    while (!stopping) {
      const started = performance.now();
      await (await fetch(`${url}/health`)).arrayBuffer();
      waits.push(performance.now() - started);
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
      return { probes: waits.length, longest_ms: Math.round(Math.max(...waits)) };
    },
  };
}

async function measure(
  poolSize: string | undefined,
  body: string,
): Promise<{
  idle: LoadResult;
  loaded: LoadResult;
  probe: { probes: number; longest_ms: number };
  analyses: AnalysisFigures;
}> {
  const served = await serve(path.join(import.meta.dirname, 'servers', 'lvlup.ts'), {
    LVLUP_ADMIN_API_KEY: adminKey,
    RATE_LIMIT_ENABLED: 'false',
    LVLUP_WORKER: 'false',
    BODY_LIMIT_BYTES: String(4 * 1024 * 1024),
    ...(poolSize === undefined ? {} : { COMPUTE_POOL_SIZE: poolSize }),
  });
  try {
    const health = `${served.url}/health`;
    await load({ url: health, connections, durationSeconds: 2 }); // warm-up
    const idle = await load({ url: health, connections, durationSeconds });
    const analyses = keepAnalysing(served.url, body);
    const probe = probeHealth(served.url);
    // autocannon drops the requests still unanswered when its time is up: `answered` counts the rest, and
    // the sequential probe waits for each of its requests, however long the event loop is held.
    const loaded = await load({ url: health, connections, durationSeconds, timeoutSeconds: 120 });
    const probed = await probe.stop();
    return { idle, loaded, probe: probed, analyses: await analyses.stop() };
  } finally {
    await served.stop();
  }
}

export async function benchCompute() {
  const code = largeFile();
  const body = JSON.stringify({ code, file_path: 'large.js' });
  const pool = await measure(undefined, body);
  const inline = await measure('0', body);
  const rows = [
    { mode: 'pool (default size)', ...pool },
    { mode: 'inline (COMPUTE_POOL_SIZE=0)', ...inline },
  ];
  console.log(
    `\nGET /health, ${connections} connections, ${durationSeconds} s, idle and while ${ANALYSES} analyses of ` +
      `${(code.length / 1e6).toFixed(2)} M characters are kept in flight`,
  );
  console.table(
    rows.map((row) => ({
      mode: row.mode,
      'idle p50 ms': row.idle.p50Ms,
      'idle p99 ms': row.idle.p99Ms,
      'loaded answered': row.loaded.answered,
      'loaded p50 ms': row.loaded.p50Ms,
      'loaded p99 ms': row.loaded.p99Ms,
      'health errors': row.loaded.errors + row.loaded.non2xx,
      'longest probe ms': row.probe.longest_ms,
      'analyses done': row.analyses.completed,
      'analysis median s': row.analyses.median_seconds,
      'analyses 503': row.analyses.busy,
      'analyses failed': row.analyses.failed,
    })),
  );
  console.log('goal: /health p99 under 50 ms with the pool while the analyses run');
  const file = writeResult('http-compute', {
    connections,
    duration_seconds: durationSeconds,
    analyses_in_flight: ANALYSES,
    code_characters: code.length,
    pool,
    inline,
  });
  console.log(`written to ${file}`);
}
