import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import type { CheckResult } from './check.js';
import { findExecutable, isExecutableFile } from './find-executable.js';
import path from 'node:path';

const run = promisify(execFile);

/** Node.js lines with long-term support: when LTS began and when the line reaches its end of life. */
const NODE_LINES: Record<number, { lts: string; end: string }> = {
  20: { lts: '2023-10-24', end: '2026-04-30' },
  22: { lts: '2024-10-29', end: '2027-04-30' },
  24: { lts: '2025-10-28', end: '2028-04-30' },
  26: { lts: '2026-10-28', end: '2029-04-30' },
};

/** The newest line whose LTS has begun by `now`. */
export function currentLtsLine(now: Date): number {
  const started = Object.entries(NODE_LINES)
    .filter(([, line]) => new Date(line.lts) <= now)
    .map(([major]) => Number(major));
  return Math.max(...started);
}

export function checkNode(version: string, now: Date): CheckResult {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const lts = currentLtsLine(now);
  const fix = `install Node.js ${lts} (the current LTS line), e.g. the node:${lts}-bookworm-slim image or nodejs.org`;
  if (major < 20 || (major === 20 && minor < 19)) {
    return { name: 'node', status: 'fail', detail: `${version}: lvlup needs 20.19 or newer`, fix };
  }
  const line = NODE_LINES[major];
  if (line && new Date(line.end) <= now) {
    return {
      name: 'node',
      status: 'warn',
      detail: `${version}: works, but Node ${major} reached its end of life on ${line.end}`,
      fix,
    };
  }
  if (!line && major % 2 === 1) {
    return { name: 'node', status: 'warn', detail: `${version}: an odd-numbered line, never LTS`, fix };
  }
  return { name: 'node', status: 'ok', detail: `${version}${major === lts ? ' (the current LTS line)' : ''}` };
}

export async function checkGit(searchPath: string | undefined): Promise<CheckResult> {
  const git = findExecutable('git', searchPath);
  if (!git) {
    return {
      name: 'git',
      status: 'fail',
      detail: 'not found on PATH: repositories cannot be cloned, read or committed to',
      fix: 'apt-get install git',
    };
  }
  try {
    const { stdout } = await run(git, ['--version'], { timeout: 10_000 });
    return { name: 'git', status: 'ok', detail: `${stdout.trim()} (${git})` };
  } catch (error) {
    return {
      name: 'git',
      status: 'fail',
      detail: `${git} does not run: ${(error as Error).message}`,
      fix: 'apt-get install --reinstall git',
    };
  }
}

const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

export function checkChromium(searchPath: string | undefined): CheckResult {
  for (const name of CHROMIUM_NAMES) {
    const found = findExecutable(name, searchPath);
    if (found) return { name: 'chromium', status: 'ok', detail: `${found} (browser smoke tests of generated apps)` };
  }
  return {
    name: 'chromium',
    status: 'warn',
    detail: 'not found on PATH: browser smoke tests of generated apps cannot run',
    fix: 'apt-get install chromium',
  };
}

export function checkFlutter(flutterPath: string | undefined, searchPath: string | undefined): CheckResult {
  if (flutterPath) {
    const candidate = isExecutableFile(flutterPath) ? flutterPath : path.join(flutterPath, 'bin', 'flutter');
    if (isExecutableFile(candidate)) return { name: 'flutter', status: 'ok', detail: `${candidate} (FLUTTER_PATH)` };
    return {
      name: 'flutter',
      status: 'fail',
      detail: `FLUTTER_PATH=${flutterPath} is neither the flutter program nor an SDK folder with bin/flutter`,
      fix: 'point FLUTTER_PATH at the Flutter SDK folder (the one holding bin/flutter)',
    };
  }
  const found = findExecutable('flutter', searchPath);
  if (found) return { name: 'flutter', status: 'ok', detail: `${found} (on PATH)` };
  return {
    name: 'flutter',
    status: 'warn',
    detail: 'no Flutter SDK (FLUTTER_PATH unset, flutter not on PATH): Flutter targets cannot be built',
    fix: 'install the Flutter SDK and set FLUTTER_PATH=/path/to/flutter',
  };
}

/** Asks the Docker daemon's API for `/_ping` on its Unix socket (DOCKER_HOST=unix://… or the default). */
export async function checkDocker(
  dockerHost: string | undefined,
  searchPath: string | undefined,
): Promise<CheckResult> {
  const client = findExecutable('docker', searchPath);
  if (dockerHost && !dockerHost.startsWith('unix://')) {
    return { name: 'docker', status: 'skip', detail: `DOCKER_HOST=${dockerHost} is not a Unix socket; not probed` };
  }
  const socketPath = dockerHost ? dockerHost.slice('unix://'.length) : '/var/run/docker.sock';
  const answer = await new Promise<string | Error>((resolve) => {
    const request = http.get({ socketPath, path: '/_ping', timeout: 3000 }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(body));
    });
    request.on('timeout', () => request.destroy(new Error('no answer within 3 s')));
    request.on('error', resolve);
  });
  if (answer === 'OK') return { name: 'docker', status: 'ok', detail: `the daemon answers at ${socketPath}` };
  return {
    name: 'docker',
    status: 'warn',
    detail:
      `no Docker daemon at ${socketPath} (${answer instanceof Error ? answer.message : `answered ${answer.slice(0, 40)}`})` +
      `${client ? `; the client ${client} is installed` : ''}; lvlup itself does not need one`,
    fix: 'apt-get install docker.io && systemctl start docker (or set DOCKER_HOST=unix:///path/to/docker.sock)',
  };
}

export function checkSmtp(): CheckResult {
  return { name: 'smtp', status: 'skip', detail: 'lvlup sends no email: it has no SMTP setting to check' };
}
