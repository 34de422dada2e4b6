// A worker process for test/process/crash-safety.test.ts: `node --import tsx test/support/crash-worker.ts`.
//
// Opens the database the environment names (DATABASE_URL, or the PGlite folder LVLUP_DATA_DIR under its
// lock), runs a task runtime whose agents are the crash agents (test/support/crash-agents.ts), and reports
// on stdout, one JSON object a line: `ready` once it claims tasks, `submitted` for each task of
// CRASH_SUBMIT (a JSON list of { agentType, label } it enqueues itself: a PGlite folder admits no other
// process), `effect` once a handler's side effect is committed, and `task` for every task event.
// SIGTERM stops it gracefully; the test's SIGKILL does not.
import { loadConfig } from '../../src/config/config.js';
import { openDatabase } from '../../src/db/open.js';
import { createStoredEventBus } from '../../src/events/stored-bus.js';
import { createTaskRuntime } from '../../src/server/task-runtime.js';
import { createInlineCompute } from '../../src/compute/compute-pool.js';
import { crashRegistry } from './crash-agents.js';

const report = (line: object) => void process.stdout.write(`${JSON.stringify(line)}\n`);
const log = (level: string) => (object: unknown, message: string) =>
  process.stderr.write(`${JSON.stringify({ level, message, ...(object as object) })}\n`);

const config = loadConfig(process.env);
const database = await openDatabase(config);
const events = createStoredEventBus({ database, retentionSeconds: 3600 });
events.subscribe((event) => {
  if (!event.type.startsWith('task.')) return;
  const task = (event.data as { task?: { id: string; status: string; attempts: number } }).task;
  if (task) report({ event: 'task', type: event.type, id: task.id, status: task.status, attempts: task.attempts });
});
const runtime = createTaskRuntime({
  database,
  events,
  config,
  compute: createInlineCompute(),
  log: { debug: () => undefined, info: () => undefined, warn: log('warn'), error: log('error') },
  registry: crashRegistry(report),
  // Short polls and backoffs so that a recovered task is retried within a second.
  worker: { pollIntervalMs: 200, backoff: { baseMs: 100, capMs: 200 } },
});
// Listening for SIGTERM before starting: starting recovers abandoned tasks, whose events the test may
// answer with SIGTERM at once.
const started = runtime.start();
process.once('SIGTERM', () => {
  void (async () => {
    await started.catch(() => undefined);
    await runtime.stop(1000);
    await database.close();
    process.exit(0);
  })();
});
await started;
report({ event: 'ready', pid: process.pid, owner: runtime.worker?.owner });

const submissions = JSON.parse(process.env.CRASH_SUBMIT ?? '[]') as { agentType: string; label: string }[];
for (const { agentType, label } of submissions) {
  const { task } = await runtime.queue.submit({ agentType, input: { label }, trigger: 'manual' });
  report({ event: 'submitted', id: task.id, agentType, label });
}
