import type { Config } from '../config/config.js';
import { createSandboxRunner, type SandboxAvailability, type SandboxRunner } from './isolation/index.js';
import { findToolchains, type Toolchains } from './toolchains.js';
import { defaultWorkRoot } from './work-tree.js';

export interface SandboxService {
  readonly runner: SandboxRunner;
  readonly availability: SandboxAvailability;
  readonly toolchains: Toolchains;
  /** where throw-away work trees go (SANDBOX_WORK_DIR, or a memory file system when there is one) */
  readonly workRoot: string;
}

const services = new Map<string, Promise<SandboxService>>();

/**
 * The sandbox of this process, probed once per mode and data folder and shared by every task and by
 * readiness. A failed probe (mode `bwrap` without a usable bubblewrap) is not cached, so a fixed machine
 * is seen without a restart.
 */
export function sandboxService(
  config: Pick<Config, 'sandboxMode' | 'dataDirectory' | 'sandboxWorkDirectory'>,
): Promise<SandboxService> {
  const key = `${config.sandboxMode}\0${config.dataDirectory}\0${config.sandboxWorkDirectory ?? ''}`;
  let service = services.get(key);
  if (!service) {
    service = (async () => {
      const [{ runner, availability }, toolchains, workRoot] = await Promise.all([
        createSandboxRunner({ mode: config.sandboxMode, hiddenPaths: [config.dataDirectory] }),
        findToolchains(),
        config.sandboxWorkDirectory ?? defaultWorkRoot(),
      ]);
      return { runner, availability, toolchains, workRoot };
    })();
    services.set(key, service);
    service.catch(() => services.delete(key));
  }
  return service;
}
