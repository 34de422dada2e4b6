import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { isLvlupCommand } from './support/lvlup-command.js';
import { CONFIGURATION_VARIABLES } from '../src/config/config.js';

// The deployment files are checked here without a container runtime: what they run must be lvlup
// commands, what they set must be variables lvlup reads, and what they promise (non-root, health checks,
// no Docker socket) must be in them.
const root = fileURLToPath(new URL('..', import.meta.url));
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, unknown> | string[];
  healthcheck?: unknown;
}

it('the command check refuses what is not an lvlup command', async () => {
  assert.equal(await isLvlupCommand(['bogus']), false);
  assert.equal(await isLvlupCommand(['serve', '--no-such-option']), false);
  assert.equal(await isLvlupCommand(['serve', '--no-worker']), true);
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as {
    services: Record<string, ComposeService>;
    volumes: Record<string, unknown>;
  };
  const lvlupServices = Object.entries(compose.services).filter(([, service]) => service.image === 'lvlup:local');

  it('runs PostgreSQL, Redis, migrations once, two API processes behind a proxy and two workers', () => {
    const commands = lvlupServices.map(([name, service]) => `${name}: ${service.command?.join(' ')}`);
    assert.deepEqual(commands, [
      'migrate: migrate',
      'api-1: serve --no-worker',
      'api-2: serve --no-worker',
      'worker-1: worker',
      'worker-2: worker',
    ]);
    assert.ok(compose.services.postgres && compose.services.redis && compose.services.proxy);
    for (const [name, service] of lvlupServices.filter(([name]) => name !== 'migrate')) {
      assert.deepEqual(
        (service.depends_on as Record<string, { condition: string }>).migrate,
        { condition: 'service_completed_successfully' },
        name,
      );
    }
  });

  it('runs only lvlup commands and sets only variables lvlup reads', async () => {
    for (const [name, service] of lvlupServices) {
      assert.ok(await isLvlupCommand(service.command ?? []), `${name}: lvlup ${service.command?.join(' ')}`);
      for (const variable of Object.keys(service.environment ?? {}))
        assert.ok(CONFIGURATION_VARIABLES.includes(variable), `${name} sets ${variable}, which lvlup does not read`);
    }
  });

  it('mounts no Docker socket and declares every named volume it uses', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        assert.doesNotMatch(volume, /docker\.sock/, name);
        const source = volume.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/'))
          assert.ok(source in compose.volumes, `${name}: ${source}`);
      }
    }
  });

  it(
    'parses with docker compose where it is installed',
    { skip: spawnSync('docker', ['compose', 'version']).status !== 0 },
    async () => {
      await promisify(execFile)('docker', ['compose', '-f', 'compose.yaml', 'config', '--quiet'], {
        cwd: root,
        env: { ...process.env, POSTGRES_PASSWORD: 'x', LVLUP_SECRET_KEY: 'x'.repeat(32) },
      });
    },
  );
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('builds compiled JavaScript on the LTS image and runs lvlup as a non-root user under tini', () => {
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:26-bookworm-slim$/m);
    assert.match(dockerfile, /RUN npm run build/);
    assert.match(dockerfile, /npm ci --omit=dev/);
    assert.match(dockerfile, /apt-get install -y --no-install-recommends git bubblewrap tini ca-certificates/);
    assert.match(dockerfile, /^USER 10001:10001$/m);
    assert.match(dockerfile, /^HEALTHCHECK .*\n.*\/health\/ready/m);
    assert.match(dockerfile, /^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "bin\/lvlup\.js"\]$/m);
    assert.ok(JSON.parse(read('package.json')).scripts.build, 'npm run build exists');
    // the dashboard served at / is built in the build stage and copied where the server looks for it
    assert.match(dockerfile, /^RUN npm run build:web$/m);
    assert.match(dockerfile, /^COPY --from=build \/app\/web\/dist \.\/web\/dist$/m);
  });

  it('copies only files that exist, and they are not ignored', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'));
    for (const match of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const source of match[1]!.split(' ')) {
        assert.ok(existsSync(path.join(root, source)), `COPY ${source}`);
        assert.ok(!ignored.includes(source), `${source} is in .dockerignore`);
      }
    }
  });
});

describe('systemd units', () => {
  const units = ['lvlup.service', 'lvlup-worker.service'];

  it('run lvlup commands with the hardening options and the environment file, which sets only known variables', async () => {
    for (const unit of units) {
      const text = read(`deploy/systemd/${unit}`);
      for (const option of ['NoNewPrivileges=true', 'ProtectSystem=strict', 'PrivateTmp=true', 'ProtectHome=true'])
        assert.ok(text.includes(`\n${option}\n`), `${unit}: ${option}`);
      assert.match(text, /^EnvironmentFile=\/etc\/lvlup\/lvlup\.env$/m);
      for (const [, args] of text.matchAll(/^Exec\w+=\/usr\/bin\/node \/opt\/lvlup\/bin\/lvlup\.js (.+)$/gm))
        assert.ok(await isLvlupCommand(args!.split(' ')), `${unit}: lvlup ${args}`);
    }
    for (const line of read('deploy/systemd/lvlup.env').split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const variable = line.split('=')[0]!;
      assert.ok(CONFIGURATION_VARIABLES.includes(variable), `lvlup.env sets ${variable}, which lvlup does not read`);
    }
  });

  it('pass systemd-analyze verify', { skip: spawnSync('systemd-analyze', ['--version']).status !== 0 }, async () => {
    const { stderr } = await promisify(execFile)('systemd-analyze', ['verify', ...units], {
      cwd: path.join(root, 'deploy', 'systemd'),
    });
    // verify exits 0 on warnings too; a unit it cannot load or a command it cannot find is printed
    assert.doesNotMatch(stderr, /lvlup(-worker)?\.service:\d+:|not executable|Unknown/);
  });
});
