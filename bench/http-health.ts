// GET /health of lvlup (all production plugins on) against a bare node:http server answering the same
// JSON, one after the other in one invocation, each server in its own process.
import path from 'node:path';
import { load, serve, writeResult, type LoadResult } from './support.js';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const durationSeconds = Number(process.env.BENCH_DURATION ?? 10);

async function measure(script: string, environment: Record<string, string> = {}): Promise<LoadResult> {
  const served = await serve(path.join(import.meta.dirname, 'servers', script), environment);
  try {
    await load({ url: `${served.url}/health`, connections, durationSeconds: 2 }); // warm-up
    return await load({ url: `${served.url}/health`, connections, durationSeconds });
  } finally {
    await served.stop();
  }
}

export async function benchHealth() {
  const raw = await measure('raw-node-http.ts');
  const bareFastify = await measure('bare-fastify.ts');
  const lvlup = await measure('lvlup.ts', { LOG_LEVEL: 'info', RATE_LIMIT_ENABLED: 'true' });
  const ratio = lvlup.requestsPerSecond / raw.requestsPerSecond;
  const rows = [
    { server: 'raw node:http', ...raw },
    { server: 'bare fastify (reference)', ...bareFastify },
    { server: 'lvlup', ...lvlup },
  ];
  console.log(`\nGET /health, ${connections} connections, ${durationSeconds} s each`);
  console.table(
    rows.map((row) => ({
      server: row.server,
      'req/s': Math.round(row.requestsPerSecond),
      'p50 ms': row.p50Ms,
      'p99 ms': row.p99Ms,
      non2xx: row.non2xx,
      errors: row.errors,
    })),
  );
  console.log(`ratio lvlup / raw node:http: ${ratio.toFixed(2)} (goal ≥ 0.70)`);
  console.log(
    `ratio bare fastify / raw node:http: ${(bareFastify.requestsPerSecond / raw.requestsPerSecond).toFixed(2)}`,
  );
  const file = writeResult('http-health', {
    connections,
    duration_seconds: durationSeconds,
    raw,
    bare_fastify: bareFastify,
    lvlup,
    ratio,
  });
  console.log(`written to ${file}`);
}
