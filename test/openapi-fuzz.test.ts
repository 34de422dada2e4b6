import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets, type DatabaseTarget } from './support/database.js';
import {
  describe as show,
  fuzzCases,
  HOSTILE_VALUES,
  type FuzzCase,
  type OpenApiDocument,
} from './support/openapi-fuzz.js';

/** The 503s docs/problems.md documents (a capability that cannot run says so); any other 5xx is a bug. */
function documented503Codes(): Set<string> {
  const table = readFileSync(new URL('../docs/problems.md', import.meta.url), 'utf8');
  const codes = new Set<string>();
  for (const row of table.split('\n').filter((line) => /^\|\s*503\s*\|/.test(line))) {
    for (const match of row.split('|')[2]!.matchAll(/`([a-z_]+)`/g)) codes.add(match[1]!);
  }
  return codes;
}

/**
 * On PostgreSQL only the values most likely to trip the database are sent (the full matrix runs on PGlite):
 * the characters it cannot store, numbers outside its integer types, and odd ids and dates.
 */
const DATABASE_VALUES = HOSTILE_VALUES.filter(
  (value) =>
    (typeof value === 'string' &&
      (value.includes('\u0000') || /[\ud800-\udfff]/.test(value) || /^[0-9-]|^not-a|^$/.test(value))) ||
    typeof value === 'number' ||
    (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1),
);

async function send(t: TestApp, fuzz: FuzzCase, key: string | undefined) {
  const response = await t.app.inject({
    method: fuzz.method as 'GET',
    url: fuzz.url,
    headers: { ...fuzz.headers, ...(key ? { authorization: `Bearer ${key}` } : {}) },
    payload: fuzz.payload,
    // A stream that accepts the request stays open: only its status and headers are looked at.
    ...(fuzz.streaming ? { payloadAsStream: true } : {}),
  });
  const type = String(response.headers['content-type'] ?? '');
  if (fuzz.streaming) {
    const stream = response.stream();
    let text = '';
    if (response.statusCode >= 400) for await (const chunk of stream) text += String(chunk);
    else stream.destroy();
    return { status: response.statusCode, type, body: text };
  }
  return { status: response.statusCode, type, body: response.body };
}

function problemFailure(result: { status: number; type: string; body: string }, allowed503: Set<string>) {
  if (result.status < 400) return undefined;
  if (!result.type.startsWith('application/problem+json')) return `${result.status} as ${result.type}`;
  let problem: { type?: unknown; status?: unknown; code?: unknown };
  try {
    problem = JSON.parse(result.body) as typeof problem;
  } catch {
    return `${result.status} with a body that is not JSON`;
  }
  if (typeof problem.type !== 'string' || problem.status !== result.status) return `${result.status} ${result.body}`;
  if (result.status >= 500 && !(result.status === 503 && allowed503.has(String(problem.code)))) {
    return `${result.status} ${result.body.slice(0, 300)}`;
  }
  return undefined;
}

function fuzzSuite(target: DatabaseTarget, values: readonly unknown[] | undefined) {
  describe(`hostile input to every OpenAPI operation on ${target}`, () => {
    let t: TestApp;
    let document: OpenApiDocument;
    const allowed503 = documented503Codes();
    before(async () => {
      // No worker runs (nothing enqueued is executed) and no local path may be registered.
      t = await createTestApp(target, { environment: { LVLUP_REPO_ROOTS: '/nonexistent-root', LOG_LEVEL: 'error' } });
      document = t.app.swagger() as unknown as OpenApiDocument;
    });
    after(() => t.close());

    for (const credential of ['admin', 'none'] as const) {
      it(`never answers 5xx, and answers every error with a problem document (credential: ${credential})`, async () => {
        const key = credential === 'admin' ? t.adminKey : undefined;
        const failures: string[] = [];
        const operations = new Set<string>();
        let sent = 0;
        for (const fuzz of fuzzCases(document, { ...(values ? { values, rawBodies: [] } : {}) })) {
          operations.add(fuzz.operation);
          sent += 1;
          const failure = problemFailure(await send(t, fuzz, key), allowed503);
          if (failure) failures.push(`${fuzz.operation} [${fuzz.slot}] ${fuzz.method} ${show(fuzz.url)} → ${failure}`);
        }
        assert.deepEqual(failures, []);
        // Every operation of the document was tried, each with every value (the document was read right).
        assert.equal(operations.size, Object.values(document.paths).flatMap((path) => Object.keys(path)).length);
        assert.ok(sent >= operations.size * (values ?? HOSTILE_VALUES).length);
      });
    }
  });
}

assert.ok(HOSTILE_VALUES.length >= 40);
for (const target of databaseTargets()) fuzzSuite(target, target === 'pglite' ? undefined : DATABASE_VALUES);
