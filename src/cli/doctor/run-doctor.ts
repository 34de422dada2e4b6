import { type Config, ConfigError } from '../../config/config.js';
import type { CheckResult } from './check.js';
import {
  checkDatabase,
  checkDataDirectory,
  checkLanguageModels,
  checkRedis,
  checkSandbox,
} from './installation-checks.js';
import { checkChromium, checkDocker, checkFlutter, checkGit, checkNode, checkSmtp } from './system-checks.js';

export interface DoctorSettings {
  readonly environment: Record<string, string | undefined>;
  readonly config: () => Config;
  readonly nodeVersion?: string;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
}

/** Every check, in the order they are printed. */
export async function runDoctor(settings: DoctorSettings): Promise<CheckResult[]> {
  const { environment } = settings;
  const searchPath = environment.PATH;
  const results: CheckResult[] = [
    checkNode(settings.nodeVersion ?? process.version, (settings.now ?? (() => new Date()))()),
  ];
  let config: Config | undefined;
  try {
    config = settings.config();
    results.push({ name: 'configuration', status: 'ok', detail: 'every variable is valid' });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    results.push({
      name: 'configuration',
      status: 'fail',
      detail: error.problems.map((problem) => `${problem.variable} ${problem.message}`).join('; '),
      fix: 'correct the variables named (environment or .env); see the README’s configuration table',
    });
  }
  if (config) {
    results.push(await checkDataDirectory(config));
    results.push(await checkDatabase(config));
    results.push(await checkRedis(config));
  } else {
    for (const name of ['data folder', 'database', 'redis'])
      results.push({ name, status: 'skip', detail: 'needs a valid configuration' });
  }
  results.push(await checkGit(searchPath));
  results.push(
    config ? await checkSandbox(config) : { name: 'bubblewrap', status: 'skip', detail: 'needs a valid configuration' },
  );
  results.push(checkChromium(searchPath));
  results.push(checkFlutter(config?.flutterPath ?? environment.FLUTTER_PATH, searchPath));
  results.push(await checkDocker(environment.DOCKER_HOST, searchPath));
  if (config) results.push(...(await checkLanguageModels(config, settings.fetch ?? fetch)));
  else results.push({ name: 'llm', status: 'skip', detail: 'needs a valid configuration' });
  results.push(checkSmtp());
  return results;
}
