import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkNode, currentLtsLine } from './system-checks.js';

describe('the Node.js check', () => {
  const december2026 = new Date('2026-12-07T12:00:00Z');

  it('knows which line is the current LTS on a date', () => {
    assert.equal(currentLtsLine(new Date('2026-06-01T00:00:00Z')), 24);
    assert.equal(currentLtsLine(december2026), 26);
  });

  it('fails below 20.19, warns on a line past its end of life or an odd one, passes an LTS line', () => {
    assert.equal(checkNode('v20.10.0', december2026).status, 'fail');
    const ended = checkNode('v20.20.2', december2026);
    assert.equal(ended.status, 'warn');
    assert.match(ended.detail, /reached its end of life on 2026-04-30/);
    assert.match(ended.fix ?? '', /install Node\.js 26/);
    assert.equal(checkNode('v20.20.2', new Date('2026-01-01T00:00:00Z')).status, 'ok');
    assert.equal(checkNode('v25.9.0', december2026).status, 'warn');
    assert.deepEqual(checkNode('v26.12.1', december2026), {
      name: 'node',
      status: 'ok',
      detail: 'v26.12.1 (the current LTS line)',
    });
    assert.equal(checkNode('v24.11.0', december2026).status, 'ok');
  });
});
