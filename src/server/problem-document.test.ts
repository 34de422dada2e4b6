import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { registerErrorHandling } from './error-handler.js';
import { HttpProblem } from './problem.js';

describe('problem documents', () => {
  it('keep their own members: an extension cannot replace status, type, code or request_id', async () => {
    const app = Fastify();
    registerErrorHandling(app);
    app.get('/clash', () => {
      throw new HttpProblem(409, 'apply_conflict', 'Conflict', 'it conflicts', {
        status: 'apply-failed',
        type: 'about:blank',
        code: 'other',
        title: 'Other',
        instance: '/elsewhere',
        request_id: 'forged',
        conflicts: ['a.txt'],
      });
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/clash' });
      assert.equal(response.statusCode, 409);
      const body = response.json();
      assert.equal(body.status, 409);
      assert.equal(body.type, '/problems/apply_conflict');
      assert.equal(body.code, 'apply_conflict');
      assert.equal(body.title, 'Conflict');
      assert.equal(body.instance, '/clash');
      assert.notEqual(body.request_id, 'forged');
      assert.deepEqual(body.conflicts, ['a.txt']);
    } finally {
      await app.close();
    }
  });
});
