// GET /health latency on a listening lvlup while three 1 MB POST /guardian/analyze requests are kept in
// flight, with the compute pool (default size) and with the work inline on the event loop
// (COMPUTE_POOL_SIZE=0) as the baseline, one after the other in one invocation.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { load, serve, writeResult, type LoadResult } from './support.js';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 4);
const durationSeconds = Number(process.env.BENCH_DURATION ?? 10);
const ANALYSES = 3;
/** The route takes at most 1,000,000 characters. */
const CODE_CHARACTERS = 999_000;
const adminKey = `lvl_${randomBytes(24).toString('hex')}`;

/** The labelled JavaScript snippets of the Guardian corpus, repeated to one large file with many sinks. */
function largeFile(): string {
  const corpus = path.join(import.meta.dirname, 'guardian-corpus');
  const snippets = readdirSync(corpus, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .sort()
    .map((file) => readFileSync(path.join(corpus, file), 'utf8'));
  let code = '';
  while (code.length < CODE_CHARACTERS) {
    for (const snippet of snippets) code += `${snippet}\n`;
  }
  return code.slice(0, code.lastIndexOf('\n', CODE_CHARACTERS) + 1);
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

async function measure(
  poolSize: string | undefined,
  body: string,
): Promise<{ idle: LoadResult; loaded: LoadResult; analyses: AnalysisFigures }> {
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
    const loaded = await load({ url: health, connections, durationSeconds });
    return { idle, loaded, analyses: await analyses.stop() };
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
      'loaded req/s': Math.round(row.loaded.requestsPerSecond),
      'loaded p50 ms': row.loaded.p50Ms,
      'loaded p99 ms': row.loaded.p99Ms,
      'health errors': row.loaded.errors + row.loaded.non2xx,
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
