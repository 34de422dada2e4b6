import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import { cloneRepository } from './clone.js';
import { githubAuthentication, parseCloneUrl } from './clone-url.js';
import { chooseLocalDefaultBranch } from './default-branch.js';
import { allowedLocalFolder, assertWorkTreeTop } from './local-path.js';
import { mergePolicy, type RepositoryPolicyPatch } from './policy.js';
import { remoteSettings } from './remote-access.js';
import { RepositoryRefusedError } from './repository-refused-error.js';
import { findRepositoryBySource, insertRepository, type NewRepository, type Repository } from './repository-store.js';

export interface RepositoryServices {
  readonly database: Database;
  readonly config: Pick<Config, 'dataDirectory' | 'repositoryRoots' | 'github' | 'outboundAllow'>;
  now(): Date;
}

export interface RegistrationSettings {
  readonly name?: string | undefined;
  readonly defaultBranch?: string | undefined;
  readonly checkCommands?: string[] | undefined;
  readonly policy?: RepositoryPolicyPatch | undefined;
  readonly createdBy: string;
}

/** Where lvlup keeps the clone of a repository it cloned. */
export function cloneFolder(dataDirectory: string, id: string): string {
  return path.join(dataDirectory, 'repositories', id);
}

function nameFrom(location: string): string {
  const last =
    location
      .replace(/[/\\]+$/, '')
      .split(/[/\\]/)
      .pop() ?? '';
  return last.replace(/\.git$/, '').slice(0, 200) || 'repository';
}

const duplicate = (existing: Repository) =>
  new RepositoryRefusedError(
    'duplicate_repository',
    `This repository is registered already as ${existing.id}`,
    undefined,
    { repository_id: existing.id },
  );

async function store(services: RepositoryServices, values: NewRepository): Promise<Repository> {
  const outcome = await insertRepository(services.database, values);
  if ('existing' in outcome) throw duplicate(outcome.existing);
  return outcome.created;
}

/**
 * Clones an https:// or file:// URL into the data folder and stores it. A file:// URL must lie under
 * LVLUP_REPO_ROOTS like a registered path: otherwise cloning would copy any repository on this machine.
 * If the clone or the insert fails, the clone's folder is removed.
 */
export async function registerClone(
  services: RepositoryServices,
  cloneUrl: string,
  settings: RegistrationSettings,
): Promise<Repository> {
  const { config } = services;
  const parsed = parseCloneUrl(cloneUrl);
  // A file:// URL is cloned (and later fetched) from the real folder that was checked, not through links.
  const source =
    parsed.localPath === undefined
      ? parsed
      : {
          ...parsed,
          url: pathToFileURL(
            await allowedLocalFolder(parsed.localPath, {
              roots: config.repositoryRoots,
              dataDirectory: config.dataDirectory,
              field: 'body.clone_url',
            }),
          ).href,
        };
  const existing = await findRepositoryBySource(services.database.orm, { cloneUrl: source.url });
  if (existing) throw duplicate(existing);
  const gitSettings = await remoteSettings(source.url, {
    allow: config.outboundAllow,
    field: 'body.clone_url',
    failureCode: 'clone_failed',
  });

  const id = randomUUID();
  const destination = cloneFolder(config.dataDirectory, id);
  const cloned = await cloneRepository({
    url: source.url,
    destination,
    defaultBranch: settings.defaultBranch,
    authentication: githubAuthentication(source.url, config.github),
    settings: gitSettings,
  });
  const now = services.now();
  try {
    return await store(services, {
      id,
      name: settings.name ?? nameFrom(new URL(source.url).pathname),
      source: 'clone',
      cloneUrl: source.url,
      path: destination,
      defaultBranch: cloned.defaultBranch,
      headCommit: cloned.headCommit ?? null,
      checkCommands: settings.checkCommands ?? [],
      policy: mergePolicy(undefined, settings.policy),
      createdBy: settings.createdBy,
      createdAt: now,
      updatedAt: now,
      lastSyncedAt: now,
    });
  } catch (error) {
    await rm(destination, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Registers an existing work tree in place (admins only; the route checks). It must be the top folder of
 * a git work tree under LVLUP_REPO_ROOTS. lvlup never changes its files or branches.
 */
export async function registerLocalPath(
  services: RepositoryServices,
  requestedPath: string,
  settings: RegistrationSettings,
): Promise<Repository> {
  const { config } = services;
  const folder = await allowedLocalFolder(requestedPath, {
    roots: config.repositoryRoots,
    dataDirectory: config.dataDirectory,
    field: 'body.path',
  });
  await assertWorkTreeTop(folder, 'body.path');
  const { defaultBranch, headCommit } = await chooseLocalDefaultBranch(folder, settings.defaultBranch);
  const now = services.now();
  return store(services, {
    name: settings.name ?? nameFrom(folder),
    source: 'path',
    cloneUrl: null,
    path: folder,
    defaultBranch,
    headCommit: headCommit ?? null,
    checkCommands: settings.checkCommands ?? [],
    policy: mergePolicy(undefined, settings.policy),
    createdBy: settings.createdBy,
    createdAt: now,
    updatedAt: now,
  });
}
