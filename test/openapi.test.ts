import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { z } from 'zod';
import { version } from '../src/version.js';
import type { RouteTableEntry } from '../src/server/types.js';
import { formatOpenApiDocument, generateOpenApiDocument, openApiFile } from '../scripts/write-openapi.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

interface MediaType {
  schema?: Record<string, unknown>;
}
interface Operation {
  parameters?: { in: string; name: string; required?: boolean; schema?: unknown }[];
  requestBody?: { required?: boolean; content?: Record<string, MediaType> };
  responses?: Record<string, { description?: string; content?: Record<string, MediaType> }>;
  security?: Record<string, string[]>[];
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, Record<string, unknown>> };
}

const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');
const pathParameters = (url: string) => [...url.matchAll(/:(\w+)/g)].map((match) => match[1]!);

/** The property names of a route's query schema (zod objects are what the routes use). */
function queryNames(route: RouteTableEntry): string[] {
  const schema = route.schema?.querystring;
  if (schema === undefined) return [];
  assert.ok(schema instanceof z.ZodObject, `${route.method} ${route.url}: querystring is not a zod object`);
  return Object.keys(schema.shape);
}

/** Resolves a local `$ref` so that a referenced problem schema can be checked too. */
function resolve(document: OpenApiDocument, schema: Record<string, unknown> | undefined) {
  const ref = schema?.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.replace('#/components/schemas/', '');
  return document.components.schemas[name] as Record<string, unknown> | undefined;
}

for (const target of databaseTargets()) {
  describe(`OpenAPI document on ${target}`, () => {
    let t: TestApp;
    let response: LightMyRequestResponse;
    let document: OpenApiDocument;
    let routes: RouteTableEntry[];
    before(async () => {
      t = await createTestApp(target);
      response = await t.request({ method: 'GET', url: '/openapi.json' });
      document = response.json<OpenApiDocument>();
      routes = t.app.routeTable.filter((route) => route.method !== 'HEAD' && !route.hidden);
    });
    after(() => t.close());

    it('is served publicly as OpenAPI 3', () => {
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      assert.match(document.openapi, /^3\.\d+\.\d+$/);
      assert.equal(document.info.title, 'lvlup API');
      assert.equal(document.info.version, 'test');
      assert.deepEqual(document.components.securitySchemes.bearerAuth, {
        type: 'http',
        scheme: 'bearer',
        description: 'An API key (lvl_…) or an access token',
      });
      assert.ok(routes.length >= 15, `only ${routes.length} documented routes`);
    });

    it('documents every visible route and nothing else', () => {
      const expected = routes.map((route) => `${route.method.toLowerCase()} ${openApiPath(route.url)}`).sort();
      const documented = Object.entries(document.paths)
        .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
        .sort();
      assert.deepEqual(documented, expected);
      assert.ok(!Object.keys(document.paths).some((path) => path.startsWith('/docs')), 'the docs UI is hidden');
    });

    it('gives each operation a success response with a schema and problem responses', () => {
      for (const route of routes) {
        const name = `${route.method} ${route.url}`;
        const operation = document.paths[openApiPath(route.url)]![route.method.toLowerCase()]!;
        const responses = operation.responses ?? {};
        const successes = Object.keys(responses).filter((status) => /^[23]\d\d$/.test(status));
        assert.ok(successes.length > 0, `${name} has no 2xx/3xx response`);
        for (const status of successes) {
          const content = Object.values(responses[status]!.content ?? {});
          assert.ok(content.length > 0 && content.every((media) => media.schema), `${name} ${status} has no schema`);
        }
        for (const status of ['4XX', '5XX']) {
          const problem = responses[status]?.content?.['application/problem+json']?.schema;
          assert.ok(problem, `${name} has no ${status} problem response`);
          const resolved = resolve(document, problem);
          assert.deepEqual(
            (resolved?.required as string[] | undefined)?.slice().sort(),
            ['code', 'request_id', 'status', 'title', 'type'],
            `${name} ${status} is not a problem document`,
          );
        }
      }
    });

    it('documents request bodies, path parameters and query parameters', () => {
      for (const route of routes) {
        const name = `${route.method} ${route.url}`;
        const operation = document.paths[openApiPath(route.url)]![route.method.toLowerCase()]!;
        if (route.schema?.body) {
          assert.ok(operation.requestBody?.content?.['application/json']?.schema, `${name} lacks its requestBody`);
        } else {
          assert.equal(operation.requestBody, undefined, `${name} documents a body it does not take`);
        }
        const parameters = operation.parameters ?? [];
        const inPath = parameters.filter((parameter) => parameter.in === 'path');
        assert.deepEqual(
          inPath.map((parameter) => parameter.name).sort(),
          pathParameters(route.url).sort(),
          `${name} path parameters`,
        );
        assert.ok(
          inPath.every((parameter) => parameter.required === true && parameter.schema),
          `${name}: path parameters are required`,
        );
        assert.deepEqual(
          parameters
            .filter((parameter) => parameter.in === 'query')
            .map((parameter) => parameter.name)
            .sort(),
          queryNames(route).sort(),
          `${name} query parameters`,
        );
      }
      const users = document.paths['/api/v1/users']!.get!;
      assert.deepEqual(
        users.parameters?.map((parameter) => parameter.name),
        ['limit', 'skip'],
      );
    });

    it('states the security requirement the server enforces', () => {
      for (const route of routes) {
        const operation = document.paths[openApiPath(route.url)]![route.method.toLowerCase()]!;
        const expected = route.auth === 'public' ? [] : [{ bearerAuth: [] }];
        assert.deepEqual(operation.security, expected, `${route.method} ${route.url}`);
      }
      assert.deepEqual(document.paths['/health']!.get!.security, []);
      assert.deepEqual(document.paths['/api/v1/users']!.get!.security, [{ bearerAuth: [] }]);
    });

    it('is the committed docs/openapi.json apart from the version', () => {
      const committed = JSON.parse(readFileSync(openApiFile, 'utf8')) as OpenApiDocument;
      assert.deepEqual(
        { ...document, info: { ...document.info, version: committed.info.version } },
        committed,
        'the served document differs from docs/openapi.json: run `npm run openapi` and commit the result',
      );
    });
  });
}

describe('docs/openapi.json', () => {
  it('is up to date with the code', async () => {
    const generated = await generateOpenApiDocument();
    const text = readFileSync(openApiFile, 'utf8');
    assert.deepEqual(
      generated,
      JSON.parse(text),
      'docs/openapi.json is out of date: run `npm run openapi` and commit the result',
    );
    assert.equal(
      text,
      formatOpenApiDocument(generated),
      'docs/openapi.json is not formatted as `npm run openapi` writes it',
    );
  });

  it('is deterministic: the package version and no timestamps', async () => {
    const text = readFileSync(openApiFile, 'utf8');
    const committed = JSON.parse(text) as OpenApiDocument;
    assert.equal(committed.info.version, version);
    assert.equal(
      version,
      (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version,
    );
    assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    assert.ok(text.endsWith('}\n'));
  });
});
