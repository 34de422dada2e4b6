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

/** The settings the sandbox is made from. */
export type SandboxSettings = Pick<
  Config,
  'sandboxMode' | 'sandboxBwrapPath' | 'dataDirectory' | 'sandboxWorkDirectory'
>;

const services = new Map<string, Promise<SandboxService>>();

/**
 * The sandbox of this process, probed once per settings and shared by every task and by readiness. A
 * failed probe (SandboxUnavailableError: no usable bubblewrap in mode `auto` or `bwrap`) is not cached,
 * so a fixed machine is seen without a restart.
 */
export function sandboxService(config: SandboxSettings): Promise<SandboxService> {
  const key = [config.sandboxMode, config.sandboxBwrapPath, config.dataDirectory, config.sandboxWorkDirectory]
    .map((part) => part ?? '')
    .join('\0');
  let service = services.get(key);
  if (!service) {
    service = (async () => {
      const [{ runner, availability }, toolchains, workRoot] = await Promise.all([
        createSandboxRunner({
          mode: config.sandboxMode,
          hiddenPaths: [config.dataDirectory],
          ...(config.sandboxBwrapPath ? { bwrapPath: config.sandboxBwrapPath } : {}),
        }),
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
