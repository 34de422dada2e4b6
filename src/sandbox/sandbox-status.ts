import { SandboxUnavailableError } from './isolation/index.js';
import { sandboxService, type SandboxSettings } from './sandbox-service.js';

/** How this process runs proposals' code, as readiness, auto-apply and the experiments route see it. */
export type SandboxStatus =
  | {
      readonly status: 'isolated' | 'unisolated';
      readonly mode: SandboxSettings['sandboxMode'];
      readonly isolation: 'bwrap' | 'none';
      readonly reason?: string;
    }
  | {
      /** nothing runs: checks and experiments wait until the sandbox is fixed */
      readonly status: 'unavailable';
      readonly mode: SandboxSettings['sandboxMode'];
      readonly isolation: null;
      readonly reason: string;
      readonly fix?: string;
    };

export async function sandboxStatus(config: SandboxSettings): Promise<SandboxStatus> {
  try {
    const { availability } = await sandboxService(config);
    return {
      status: availability.isolation === 'bwrap' ? 'isolated' : 'unisolated',
      mode: config.sandboxMode,
      isolation: availability.isolation,
      ...(availability.reason ? { reason: availability.reason } : {}),
    };
  } catch (error) {
    return {
      status: 'unavailable',
      mode: config.sandboxMode,
      isolation: null,
      reason: (error as Error).message,
      ...(error instanceof SandboxUnavailableError && error.fix ? { fix: error.fix } : {}),
    };
  }
}

/** One sentence for an unavailable sandbox: why, and what fixes it. */
export function unavailableDetail(status: { reason: string; fix?: string | undefined }): string {
  return `the sandbox is unavailable: ${status.reason}${status.fix ? ` (fix: ${status.fix})` : ''}`;
}

/**
 * Logs at start-up how proposals' code will run: a warning when it will not run at all (no usable
 * bubblewrap) or will run unisolated (SANDBOX_MODE=process).
 */
export async function logSandboxAtStart(
  config: SandboxSettings,
  log: { info(details: object, message: string): void; warn(details: object, message: string): void },
): Promise<SandboxStatus> {
  const status = await sandboxStatus(config);
  if (status.status === 'unavailable') {
    log.warn(
      { sandbox: status },
      `sandbox unavailable: proposals' checks and experiments will not run — ${status.reason}` +
        (status.fix ? `; fix: ${status.fix}` : ''),
    );
  } else if (status.status === 'unisolated') {
    log.warn(
      { sandbox: status },
      "SANDBOX_MODE=process: proposals' checks and experiments run unisolated (network and file system visible)",
    );
  } else {
    log.info({ sandbox: status }, 'sandbox: checks run under bubblewrap');
  }
  return status;
}
