export type {
  CreateSandboxRunnerOptions,
  ReadOnlyBind,
  SandboxAvailability,
  SandboxCommand,
  SandboxCommandOutcome,
  SandboxIsolation,
  SandboxLimitName,
  SandboxLimits,
  SandboxModeSetting,
  SandboxRunner,
} from './types.js';
export { DEFAULT_SANDBOX_LIMITS, resolveLimits } from './limits.js';
export { SandboxRefusedError, SandboxUnavailableError } from './errors.js';
export { BWRAP_FIX, createSandboxRunner } from './create-runner.js';
export { BwrapSandboxRunner } from './bwrap-runner.js';
export { ProcessSandboxRunner } from './process-runner.js';
export { SYSTEM_SEARCH_PATH } from './environment.js';
