// Child process for benchmarks: lvlup with its production configuration on a private data folder.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/config.js';
import { startServer } from '../../src/server/server.js';

const config = loadConfig({
  ...process.env,
  LVLUP_DATA_DIR: process.env.LVLUP_DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'lvlup-bench-')),
});
const devNull = { write: () => true } as unknown as NodeJS.WritableStream;
const server = await startServer({ ...config, port: 0 }, devNull);
process.send?.({ ready: server.url });
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
