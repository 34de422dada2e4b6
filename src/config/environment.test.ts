import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readEnvironment } from './environment.js';

describe('readEnvironment', () => {
  let directory: string;
  before(() => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'lvlup-env-'));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('reads .env from the working directory', () => {
    const folder = mkdtempSync(path.join(directory, 'with-'));
    writeFileSync(
      path.join(folder, '.env'),
      '# local settings\nPORT=9100\nLOG_LEVEL="debug"\nCORS_ORIGINS=https://a.example.com,https://b.example.com\n',
    );
    const environment = readEnvironment({}, folder);
    assert.equal(environment.PORT, '9100');
    assert.equal(environment.LOG_LEVEL, 'debug');
    assert.equal(environment.CORS_ORIGINS, 'https://a.example.com,https://b.example.com');
  });

  it('lets the process environment win over .env', () => {
    const folder = mkdtempSync(path.join(directory, 'both-'));
    writeFileSync(path.join(folder, '.env'), 'PORT=9100\nLOG_LEVEL=debug\n');
    const environment = readEnvironment({ PORT: '9200', HOME: '/root' }, folder);
    assert.equal(environment.PORT, '9200');
    assert.equal(environment.LOG_LEVEL, 'debug');
    assert.equal(environment.HOME, '/root');
  });

  it('is fine without a .env file', () => {
    const folder = mkdtempSync(path.join(directory, 'without-'));
    assert.deepEqual(readEnvironment({ PORT: '9300' }, folder), { PORT: '9300' });
  });

  it('reads .env from the given directory, not the process working directory', () => {
    const folder = mkdtempSync(path.join(directory, 'elsewhere-'));
    writeFileSync(path.join(folder, '.env'), 'API_HOST=0.0.0.0\n');
    assert.equal(readEnvironment({}, folder).API_HOST, '0.0.0.0');
    assert.equal(readEnvironment({}, directory).API_HOST, undefined);
  });
});
