import { listDirectory, readBlob } from '../repositories/git-repository.js';
import { sha256 } from '../analysis/changes.js';

/** What a repository's checks are and where they came from. */
export interface RepositoryChecks {
  /** the commands Sandbox runs, in order */
  readonly commands: readonly string[];
  /** configured through the API, detected from the repository's files, or none at all */
  readonly source: 'configured' | 'detected' | 'none';
  /** what detection finds at the commit, shown even when configured commands take precedence */
  readonly detected: readonly string[];
}

/** Reads a committed file; undefined when it does not exist. */
export type CommittedFileReader = (relativePath: string) => Promise<string | undefined>;

// npm's placeholder from `npm init`: a test script that only fails is not a check.
const NPM_PLACEHOLDER_TEST = /no test specified/;

function packageScripts(text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  try {
    const parsed = JSON.parse(text) as { scripts?: unknown };
    if (typeof parsed.scripts !== 'object' || parsed.scripts === null) return {};
    return Object.fromEntries(
      Object.entries(parsed.scripts).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  } catch {
    return {};
  }
}

/** Whether a Makefile defines a `test` target (a line `test:` or `test :`, not a variable `test :=`). */
function makefileHasTestTarget(text: string): boolean {
  return text.split('\n').some((line) => /^test\s*:(?!=)/.test(line));
}

function usesPytest(files: { pyproject?: string; setupConfig?: string; pytestIni?: string; toxIni?: string }) {
  if (files.pytestIni !== undefined) return true;
  if (files.pyproject?.includes('[tool.pytest')) return true;
  if (files.setupConfig?.includes('[tool:pytest]')) return true;
  if (files.toxIni?.includes('[pytest]')) return true;
  return /(^|\n)\s*["']?pytest\b/.test(files.pyproject ?? '');
}

/**
 * The checks a repository's own files declare, in the order a developer would run them: build, then
 * lint, then tests. Only conventions a project opts into count (a script it wrote, a pytest
 * configuration, a `test` target); nothing is guessed from the mere presence of source files.
 */
export async function detectChecks(read: CommittedFileReader): Promise<string[]> {
  const commands: string[] = [];
  const scripts = packageScripts(await read('package.json'));
  if (scripts.build) commands.push('npm run build');
  if (scripts.lint) commands.push('npm run lint');
  if (scripts.test && !NPM_PLACEHOLDER_TEST.test(scripts.test)) commands.push('npm test');

  const [pyproject, setupConfig, pytestIni, toxIni] = await Promise.all([
    read('pyproject.toml'),
    read('setup.cfg'),
    read('pytest.ini'),
    read('tox.ini'),
  ]);
  const python = { pyproject, setupConfig, pytestIni, toxIni };
  if (usesPytest(python) || (await read('conftest.py')) !== undefined) commands.push('python3 -m pytest -q');

  const makefile = (await read('Makefile')) ?? (await read('makefile'));
  // A Makefile test target usually wraps one of the above; it is used only when nothing else was found.
  if (commands.length === 0 && makefile !== undefined && makefileHasTestTarget(makefile)) commands.push('make test');
  if ((await read('go.mod')) !== undefined) commands.push('go test ./...');
  if ((await read('Cargo.toml')) !== undefined) commands.push('cargo test --offline');
  return commands;
}

/** Configured commands win; without them, the detected ones run. */
export async function repositoryChecks(
  repository: { path: string; checkCommands: readonly string[] },
  commit: string,
): Promise<RepositoryChecks> {
  // Every file detection reads sits at the root: one listing, then only the blobs that exist.
  const root = new Map(
    ((await listDirectory(repository, commit, '')) ?? [])
      .filter((entry) => entry.type === 'file')
      .map((entry) => [entry.name, entry.object]),
  );
  const detected = await detectChecks(async (name) => {
    const blob = root.get(name);
    return blob === undefined ? undefined : (await readBlob(repository, blob)).toString('utf8');
  });
  if (repository.checkCommands.length > 0) {
    return { commands: repository.checkCommands, source: 'configured', detected };
  }
  return { commands: detected, source: detected.length > 0 ? 'detected' : 'none', detected };
}

/** Identifies a command list: a baseline is reused only for exactly the commands it ran. */
export const checksKey = (commands: readonly string[]) => sha256(JSON.stringify(commands));
