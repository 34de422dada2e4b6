import type { AppModel } from '../app-model.js';

// src/test/support.ts of the generated app: an app on a fresh in-memory database for each test file,
// checks that answers are shaped as openapi.json says, and sample values.

export function testSupportFile(model: AppModel): string {
  const signIn = model.auth
    ? `
/** Registers a new account and answers the headers that sign requests in with its token. */
export async function signIn(app: FastifyInstance): Promise<Record<string, string>> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/register',
    payload: { email: \`user\${nextNumber()}@example.com\`, password: 'a long enough password' },
  });
  assert.equal(response.statusCode, 201, response.body);
  return { authorization: \`Bearer \${response.json<{ token: string }>().token}\` };
}
`
    : '';
  return `import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, openAsBlob, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import type { FastifyInstance, LightMyRequestResponse as Response } from 'fastify';
import { buildApp } from '../app.js';
import { embeddedDatabase, type Database } from '../database.js';
import { migrate, MIGRATIONS_FOLDER } from '../migrations.js';
import { openApiDocument } from '../openapi.js';
import { APP_ROOT } from '../paths.js';

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  close(): Promise<void>;
}

/**
 * A migrated, empty in-memory database. Creating PGlite's cluster runs initdb, which takes seconds; loading
 * a copy of an already migrated one takes well under one, so the first test file to need it makes the copy
 * (in node_modules/.cache, named after the migrations and PGlite's version) and the others load it.
 */
async function migratedDatabase(): Promise<Database> {
  const fingerprint = createHash('sha256');
  fingerprint.update(readFileSync(join(APP_ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json')));
  for (const file of readdirSync(MIGRATIONS_FOLDER).toSorted()) {
    fingerprint.update(file).update(readFileSync(join(MIGRATIONS_FOLDER, file)));
  }
  const folder = join(APP_ROOT, 'node_modules', '.cache', 'test-database');
  const template = join(folder, \`\${fingerprint.digest('hex').slice(0, 16)}.tar\`);
  if (!existsSync(template)) {
    const client = await PGlite.create();
    await migrate(embeddedDatabase(client));
    const dump = await client.dumpDataDir('none');
    await client.close();
    mkdirSync(folder, { recursive: true });
    // written aside and renamed, so a test file running alongside never loads half a copy
    const partial = \`\${template}.\${randomUUID()}\`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, template);
  }
  return embeddedDatabase(await PGlite.create({ loadDataDir: await openAsBlob(template) }));
}

export async function startTestApp(): Promise<TestApp> {
  const database = await migratedDatabase();
  const app = await buildApp({ database });
  return {
    app,
    database,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

let counter = 0;
/** 1, 2, 3…: sample values made from it differ, so unique values stay unique. */
export const nextNumber = () => ++counter;

export const unknownId = () => randomUUID();

const ajv = new Ajv({ strict: false, allErrors: true });
formats.default(ajv);
ajv.addSchema(openApiDocument, 'openapi.json');

/** Fails unless the value matches the named schema of openapi.json (\`Post\`, \`Problem\`…). */
export function assertShaped(schema: string, value: unknown): void {
  const validate = ajv.getSchema(\`openapi.json#/components/schemas/\${schema}\`);
  assert.ok(validate, \`openapi.json has no schema \${schema}\`);
  assert.ok(validate(value), \`not a \${schema}: \${ajv.errorsText(validate.errors)}\\n\${JSON.stringify(value)}\`);
}

/** Fails unless the response is a problem (application/problem+json) with the status. */
export function assertProblem(response: Response, status: number): void {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /^application\\/problem\\+json/);
  const problem = response.json<{ status: number; detail: string }>();
  assertShaped('Problem', problem);
  assert.equal(problem.status, status);
  assert.equal(typeof problem.detail, 'string');
}

/** Fails unless every property of \`expected\` has the same value in \`actual\`. */
export function assertIncludes(actual: unknown, expected: object): void {
  for (const [key, value] of Object.entries(expected)) {
    assert.deepEqual((actual as Record<string, unknown>)[key], value, \`property \${key}\`);
  }
}
${signIn}
/** Text from the prefix and number, padded or cut to fit the lengths allowed. */
export function sampleText(prefix: string, number: number, minimum = 0, maximum = 200): string {
  const text = \`\${prefix} \${number}\`.padEnd(minimum, '.');
  return text.length > maximum ? text.slice(-maximum) : text;
}

/** An integer in [minimum, maximum], different for numbers less than the range apart. */
export function sampleInteger(number: number, minimum = 0, maximum = 1_000_000): number {
  const low = Math.ceil(minimum);
  return low + (number % (Math.floor(maximum) - low + 1));
}

/** A number with a fraction in [minimum, maximum]. */
export function sampleNumber(number: number, minimum = 0, maximum = 1_000_000): number {
  if (maximum - minimum < 1) return minimum;
  return Math.min(sampleInteger(number, minimum, maximum - 1) + 0.5, maximum);
}

const START = Date.UTC(2024, 0, 1);
export const sampleDate = (number: number) => new Date(START + number * 86_400_000).toISOString().slice(0, 10);
export const sampleDateTime = (number: number) => new Date(START + number * 3_600_000).toISOString();
export const sampleUuid = (number: number) => \`00000000-0000-4000-8000-\${String(number).padStart(12, '0')}\`;
export const sampleOf = <Value>(values: readonly Value[], number: number): Value => values[number % values.length]!;
`;
}
