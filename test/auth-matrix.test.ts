import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createApiKey } from '../src/accounts/api-key-store.js';
import { grants, ROLE_SCOPES, ROLES, type Role, SCOPES } from '../src/accounts/roles.js';
import { signAccessToken } from '../src/accounts/tokens.js';
import { createUser } from '../src/accounts/user-store.js';
import type { AuthRequirement, RouteTableEntry } from '../src/server/types.js';
import { createTestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

/**
 * Every route that answers without a credential. A new public route fails this suite until it is added
 * here on purpose. The /docs routes are the documentation UI and its assets, hidden from the document.
 */
const PUBLIC_ROUTES = [
  'GET /health',
  'GET /api/health',
  'GET /health/ready',
  'GET /openapi.json',
  'GET /', // the web dashboard's page
  'GET /assets/*', // its scripts and styles
  'GET /docs',
  'GET /docs/json',
  'GET /docs/yaml',
  'GET /docs/static/index.html',
  'GET /docs/static/swagger-initializer.js',
  'GET /docs/static/*',
  'OPTIONS *', // CORS preflights carry no credentials
  'POST /api/v1/auth/register',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/web/login',
  'POST /api/v1/auth/web/refresh',
  'POST /api/v1/auth/web/logout',
  'GET /ws', // a WebSocket authenticates after the upgrade (header, subprotocol or first message)
  'GET /ws/tasks/:task_id', // the same
];

/**
 * Public routes whose own credential is the web dashboard's sign-in cookie (and its CSRF token): they answer
 * 401/403 without it whatever the Authorization header says (test/web-auth.test.ts covers them).
 */
const COOKIE_AUTHENTICATED = new Set(['POST /api/v1/auth/web/refresh', 'POST /api/v1/auth/web/logout']);

const routeName = (route: RouteTableEntry) => `${route.method} ${route.url}`;

/** A concrete URL for a route: a fresh uuid for each parameter, a plain segment for a wildcard. */
function concreteUrl(url: string): string {
  if (url === '*') return '/anything';
  return url.replace(/:\w+/g, () => randomUUID()).replace(/\*$/, 'anything');
}

/** What a route requires, with the admin-only default that the authentication plugin applies. */
const requirementOf = (route: RouteTableEntry): AuthRequirement => route.auth ?? { scope: 'admin' };

function roleMayCall(role: Role, requirement: AuthRequirement): boolean {
  if (requirement === 'public' || requirement === 'authenticated') return true;
  return grants(new Set(ROLE_SCOPES[role]), requirement.scope);
}

const unknownKey = () => `lvl_${randomBytes(32).toString('base64url')}`;

function assertProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
) {
  assert.equal(response.statusCode, status);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const body = response.json() as { status: number; code: string; detail: string };
  assert.equal(body.status, status);
  return body;
}

for (const target of databaseTargets()) {
  describe(`authorization of every route on ${target}`, async () => {
    const t = await createTestApp(target);
    after(() => t.close());
    const routes = t.app.routeTable.filter((route) => route.method !== 'HEAD');
    const isPublic = (route: RouteTableEntry) => requirementOf(route) === 'public';
    const protectedRoutes = routes.filter((route) => !isPublic(route));

    it('found the routes', () => {
      assert.ok(routes.some((route) => route.url === '/api/v1/users/:id' && route.method === 'PATCH'));
      assert.ok(protectedRoutes.length >= 10, `only ${protectedRoutes.length} protected routes`);
    });

    it('has exactly the allow-listed public routes', () => {
      assert.deepEqual(routes.filter(isPublic).map(routeName).sort(), [...PUBLIC_ROUTES].sort());
      for (const route of routes.filter((entry) => entry.url.startsWith('/docs'))) {
        assert.ok(route.hidden, `${routeName(route)} should be hidden from the OpenAPI document`);
      }
    });

    it('gives each HEAD route the requirement of its GET route', () => {
      for (const head of t.app.routeTable.filter((route) => route.method === 'HEAD')) {
        const get = routes.find((route) => route.method === 'GET' && route.url === head.url);
        assert.ok(get, `HEAD ${head.url} has no GET route`);
        assert.deepEqual(requirementOf(head), requirementOf(get));
      }
    });

    it('answers public routes without a credential', async () => {
      for (const route of routes.filter((entry) => isPublic(entry) && !COOKIE_AUTHENTICATED.has(routeName(entry)))) {
        const response = await t.request({ method: route.method as 'GET', url: concreteUrl(route.url) });
        assert.ok(![401, 403].includes(response.statusCode), `${routeName(route)} answered ${response.statusCode}`);
      }
    });

    for (const route of protectedRoutes) {
      const requirement = requirementOf(route);
      describe(routeName(route), () => {
        const method = route.method as 'GET';

        it('answers 401 without a credential', async () => {
          const response = await t.request({ method, url: concreteUrl(route.url) });
          const body = assertProblem(response, 401);
          assert.equal(body.code, 'unauthorized');
          assert.match(body.detail, /Authentication is required/);
        });

        it('answers 401 to an unknown API key and to a forged access token', async () => {
          const unknown = await t.request({ method, url: concreteUrl(route.url), key: unknownKey() });
          assert.match(assertProblem(unknown, 401).detail, /invalid, expired or revoked/);
          const forged = await t.request({ method, url: concreteUrl(route.url), key: 'eyJhbGciOiJIUzI1NiJ9.e30.AAAA' });
          assertProblem(forged, 401);
        });

        if (typeof requirement === 'object') {
          it(`answers 403 naming ${requirement.scope} to a key without it`, async () => {
            const others = SCOPES.filter((scope) => scope !== requirement.scope && scope !== 'admin');
            const key = await t.createKey(others);
            const response = await t.request({ method, url: concreteUrl(route.url), key });
            const body = assertProblem(response, 403);
            assert.equal(body.code, 'forbidden');
            assert.ok(body.detail.includes(`${requirement.scope} scope`), body.detail);
          });
        }
      });
    }

    describe('each role against each route', () => {
      const credentials = new Map<Role, { apiKey: string; accessToken: string }>();
      before(async () => {
        const orm = t.database.orm;
        for (const role of ROLES) {
          const user = await createUser(orm, { email: `${role}@example.com`, password: 'correct horse battery', role });
          const { secret } = await createApiKey(orm, {
            name: `${role} key`,
            scopes: ROLE_SCOPES[role],
            userId: user.id,
            createdBy: 'test',
          });
          const accessToken = await signAccessToken(t.app.services.tokens, user, randomUUID(), new Date());
          credentials.set(role, { apiKey: secret, accessToken });
        }
      });

      for (const role of ROLES) {
        it(`lets ${role} call exactly the routes its scopes grant`, async () => {
          const { apiKey, accessToken } = credentials.get(role)!;
          const wrong: string[] = [];
          for (const route of routes) {
            const expected = roleMayCall(role, requirementOf(route));
            // A stream that is allowed never ends; its refusals are checked, its success is not.
            if (route.streaming && expected) continue;
            if (COOKIE_AUTHENTICATED.has(routeName(route))) continue;
            for (const [kind, key] of [
              ['api key', apiKey],
              ['access token', accessToken],
            ] as const) {
              const response = await t.request({ method: route.method as 'GET', url: concreteUrl(route.url), key });
              const allowed = response.statusCode !== 401 && response.statusCode !== 403;
              if (allowed !== expected) {
                wrong.push(
                  `${routeName(route)} with ${kind}: ${response.statusCode}, expected ${expected ? 'allowed' : 'denied'}`,
                );
              }
              if (!expected) assert.equal(response.statusCode, 403, `${routeName(route)} with ${kind}`);
            }
          }
          assert.deepEqual(wrong, []);
        });
      }

      it('denies at least one route to every role but admin', () => {
        for (const role of ROLES.filter((entry) => entry !== 'admin')) {
          assert.ok(
            routes.some((route) => !roleMayCall(role, requirementOf(route))),
            role,
          );
        }
      });
    });
  });
}
