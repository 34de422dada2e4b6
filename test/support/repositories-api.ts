import { existsSync } from 'node:fs';
import { mkdtemp, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before } from 'node:test';
import { repositories } from '../../src/db/schema.js';
import { createTestApp, type TestApp } from './app.js';
import type { DatabaseTarget } from './database.js';
import { commitFiles, createRepository, gitIn } from './repository-fixtures.js';

export const BINARY = Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13, 0]);
export const BIG = 'x'.repeat(1024 * 1024 + 1);
export const fileUrl = (folder: string) => pathToFileURL(folder).href;

export interface Problem {
  code: string;
  errors: { field: string; message: string }[];
}
export interface Tree {
  entries: { name: string; path: string; type: string; size?: number }[];
}

/**
 * The world of the repositories API suites: under `roots`, an `upstream` repository (symbolic links, a
 * binary file, a file over 1 MiB and a `feature` branch) and a `local` work tree with uncommitted edits; an
 * app whose LVLUP_REPO_ROOTS is `roots`, and keys that may write and read repositories. The heads move when
 * a test commits, so they are fields a test may update.
 */
export interface RepositoriesApi {
  t: TestApp;
  workspace: string;
  roots: string;
  dataDirectory: string;
  upstream: string;
  upstreamHead: string;
  featureHead: string;
  local: string;
  localHead: string;
  writerKey: string;
  readerKey: string;
  rowCount: () => Promise<number>;
  /** the clones in the data folder, by repository id */
  clonesOnDisk: () => Promise<string[]>;
  register: (payload: Record<string, unknown>, key?: string) => ReturnType<TestApp['request']>;
  browse: (
    id: string,
    kind: 'tree' | 'file',
    query: Record<string, string>,
    key?: string,
  ) => ReturnType<TestApp['request']>;
}

/** Sets the world up before the tests of the calling `describe` and removes it after them. */
export function useRepositoriesApi(target: DatabaseTarget): RepositoriesApi {
  const api = {} as RepositoriesApi;
  api.rowCount = async () => (await api.t.database.orm.select().from(repositories)).length;
  api.clonesOnDisk = async () => {
    const clones = path.join(api.dataDirectory, 'repositories');
    return existsSync(clones) ? readdir(clones) : [];
  };
  api.register = (payload, key = api.writerKey) =>
    api.t.request({ method: 'POST', url: '/api/v1/repositories', key, payload });
  api.browse = (id, kind, query, key = api.readerKey) =>
    api.t.request({
      method: 'GET',
      url: `/api/v1/repositories/${id}/${kind}?${new URLSearchParams(query).toString()}`,
      key,
    });

  before(async () => {
    api.workspace = await realpath(await mkdtemp(path.join(os.tmpdir(), 'lvlup-repositories-')));
    api.roots = path.join(api.workspace, 'code');
    api.dataDirectory = path.join(api.workspace, 'data');
    api.upstream = path.join(api.roots, 'upstream');
    api.upstreamHead = await createRepository(api.upstream, {
      'README.md': 'hello from upstream\n',
      'src/app.ts': 'export const answer = 42;\n',
      'src/nested/deep.txt': 'deep\n',
      'data.bin': BINARY,
      'big.txt': BIG,
      passwd: { symlink: '/etc/passwd' },
      'linked-src': { symlink: 'src' },
    });
    await gitIn(api.upstream, 'checkout', '--quiet', '-b', 'feature');
    api.featureHead = await commitFiles(api.upstream, { 'feature.txt': 'only on feature\n' }, 'feature work');
    await gitIn(api.upstream, 'checkout', '--quiet', 'main');

    api.local = path.join(api.roots, 'local');
    api.localHead = await createRepository(api.local, {
      'README.md': 'committed\n',
      'lib/index.js': 'module.exports = 1;\n',
    });
    await writeFile(path.join(api.local, 'README.md'), 'uncommitted edit\n');
    await writeFile(path.join(api.local, 'untracked.txt'), 'not committed at all\n');

    api.t = await createTestApp(target, {
      environment: { LVLUP_REPO_ROOTS: api.roots, LVLUP_DATA_DIR: api.dataDirectory },
    });
    api.writerKey = await api.t.createKey(['repos:read', 'repos:write']);
    api.readerKey = await api.t.createKey(['repos:read']);
  });
  after(async () => {
    await api.t.close();
    await rm(api.workspace, { recursive: true, force: true });
  });
  return api;
}
