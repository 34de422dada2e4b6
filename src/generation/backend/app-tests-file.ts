import type { DocumentOperation } from './document-operations.js';

// src/test/app.test.ts (what every app answers: its OpenAPI document, unknown routes, malformed JSON) and
// src/test/auth.test.ts (accounts), of the generated app.

export function appTestsFile(operations: readonly DocumentOperation[]): string {
  // Malformed JSON needs a route that reads a body and is open without a token.
  const open = operations.find(
    (operation) => (operation.method === 'POST' || operation.method === 'PATCH') && !operation.secured,
  );
  const url = open ? `/api${open.path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000')}` : undefined;
  const malformed = url
    ? `

  it('answers malformed JSON with a 400 problem', async () => {
    const response = await context.app.inject({
      method: '${open!.method}',
      url: '${url}',
      headers: { 'content-type': 'application/json' },
      payload: '{"not json',
    });
    assertProblem(response, 400);
  });`
    : '';
  return `import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiDocument } from '../openapi.js';
import { assertProblem, startTestApp, type TestApp } from './support.js';

describe('the app', () => {
  let context: TestApp;

  before(async () => {
    context = await startTestApp();
  });
  after(() => context.close());

  it('serves its OpenAPI document at /api/openapi.json', async () => {
    const response = await context.app.inject({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), openApiDocument);
  });

  it('answers an unknown route with a 404 problem', async () => {
    assertProblem(await context.app.inject({ method: 'GET', url: '/api/nothing-here' }), 404);
    assertProblem(await context.app.inject({ method: 'DELETE', url: '/nothing-here' }), 404);
  });${malformed}
});
`;
}

export function authTestsFile(): string {
  return `import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertProblem, assertShaped, nextNumber, startTestApp, type TestApp } from './support.js';

const password = 'a long enough password';
const newEmail = () => \`person\${nextNumber()}@example.com\`;

describe('accounts', () => {
  let context: TestApp;
  const post = (url: string, payload: object) => context.app.inject({ method: 'POST', url, payload });

  before(async () => {
    context = await startTestApp();
  });
  after(() => context.close());

  it('registers, then signs in with the same password', async () => {
    const email = newEmail();
    const registered = await post('/api/auth/register', { email, password });
    assert.equal(registered.statusCode, 201, registered.body);
    assertShaped('Token', registered.json());
    const signedIn = await post('/api/auth/login', { email: email.toUpperCase(), password });
    assert.equal(signedIn.statusCode, 200, signedIn.body);
    assertShaped('Token', signedIn.json());
    assert.notEqual(signedIn.json<{ token: string }>().token, registered.json<{ token: string }>().token);
  });

  it('answers 409 for an email already registered', async () => {
    const email = newEmail();
    assert.equal((await post('/api/auth/register', { email, password })).statusCode, 201);
    assertProblem(await post('/api/auth/register', { email, password: 'another long password' }), 409);
  });

  it('answers 401 for a wrong password or an unknown email', async () => {
    const email = newEmail();
    assert.equal((await post('/api/auth/register', { email, password })).statusCode, 201);
    assertProblem(await post('/api/auth/login', { email, password: 'not the password' }), 401);
    assertProblem(await post('/api/auth/login', { email: newEmail(), password }), 401);
  });

  it('refuses a short password or a malformed email with 400', async () => {
    assertProblem(await post('/api/auth/register', { email: newEmail(), password: 'short' }), 400);
    assertProblem(await post('/api/auth/register', { email: 'not an email', password }), 400);
    assertProblem(await post('/api/auth/login', { email: newEmail() }), 400);
  });
});
`;
}
