import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { RouteTableEntry } from '../src/server/types.js';
import { createTestApp, type TestApp } from './support/app.js';
import { databaseTargets } from './support/database.js';

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function generator(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const STRANGE_STRINGS = [
  '',
  ' ',
  '../../etc/passwd',
  '/etc/passwd',
  'a\u0000b',
  '%00',
  '💥'.repeat(50),
  'x'.repeat(5000),
  '<script>',
  "' or 1=1 --",
  '{}',
  'null',
  '-1',
  '1e309',
  'NaN',
];

function randomValue(random: () => number, depth = 0): unknown {
  const pick = Math.floor(random() * (depth > 2 ? 6 : 9));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return [0, -1, 1.5, 2 ** 53, -(2 ** 31), 1e308][Math.floor(random() * 6)];
    case 3:
    case 4:
      return STRANGE_STRINGS[Math.floor(random() * STRANGE_STRINGS.length)];
    case 5:
      return randomUUID();
    case 6:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
    default: {
      const keys = [
        'id',
        'ids',
        'email',
        'password',
        'name',
        'scopes',
        'role',
        'ai_type',
        'file_path',
        'code_before',
        'code_after',
        'changes',
        'patch',
        'repository_id',
        'reason',
        'verdict',
        'policy',
        'path',
        'clone_url',
        'check_commands',
        'refresh_token',
        'confidence',
        'expires_at',
        'disabled',
      ];
      return Object.fromEntries(
        Array.from({ length: 1 + Math.floor(random() * 5) }, () => [
          keys[Math.floor(random() * keys.length)],
          randomValue(random, depth + 1),
        ]),
      );
    }
  }
}

function fillPath(url: string, random: () => number): string {
  return url
    .replace(/:[A-Za-z_]+/g, () => encodeURIComponent(String(random() < 0.5 ? randomUUID() : randomValue(random, 3))))
    .replace('*', 'anything');
}

function randomQuery(random: () => number): string {
  const names = [
    'limit',
    'skip',
    'status',
    'ai_type',
    'since',
    'until',
    'sort',
    'path',
    'ref',
    'repository_id',
    'action',
  ];
  const parts = Array.from({ length: Math.floor(random() * 4) }, () => {
    const value = randomValue(random, 3);
    return `${names[Math.floor(random() * names.length)]}=${encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value))}`;
  });
  return parts.length ? `?${parts.join('&')}` : '';
}

for (const target of databaseTargets()) {
  describe(`malformed input against every route on ${target}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(target, { environment: { LVLUP_REPO_ROOTS: '/nonexistent-root' } });
    });
    after(() => t.close());

    it('never answers 5xx, and every error is a problem document', async () => {
      const random = generator(20261122);
      // A stream that accepts the request never ends; test/events.test.ts sends it malformed input.
      const routes = t.app.routeTable.filter(
        (route: RouteTableEntry) =>
          !route.hidden && !route.streaming && route.method !== 'HEAD' && route.method !== 'OPTIONS',
      );
      assert.ok(routes.length > 20);
      const failures: string[] = [];
      for (const route of routes) {
        for (let attempt = 0; attempt < 12; attempt += 1) {
          const url = `${fillPath(route.url, random)}${randomQuery(random)}`;
          const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : randomValue(random);
          const response = await t.request({
            method: route.method as 'GET',
            url,
            key: t.adminKey,
            ...(body === undefined
              ? {}
              : { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
          });
          if (response.statusCode >= 500)
            failures.push(
              `${route.method} ${url} ${JSON.stringify(body)?.slice(0, 200)} → ${response.statusCode} ${response.body.slice(0, 200)}`,
            );
          else if (
            response.statusCode >= 400 &&
            !String(response.headers['content-type']).startsWith('application/problem+json')
          ) {
            failures.push(`${route.method} ${url} → ${response.statusCode} without a problem document`);
          }
        }
      }
      assert.deepEqual(failures, []);
    });
  });
}
