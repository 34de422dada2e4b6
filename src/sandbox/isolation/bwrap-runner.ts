import { bwrapArguments, type BwrapFeatures } from './bwrap-arguments.js';
import { checkCommand, existingHostPaths } from './command-input.js';
import { sandboxEnvironment } from './environment.js';
import { prlimitArguments, processesHeadroom } from './limits.js';
import { switchAccountArguments, tasksOfAccount, type SandboxAccount } from './sandbox-account.js';
import { superviseCommand } from './supervised-run.js';
import { generatedEtcFiles, systemMounts } from './system-mounts.js';
import type { SandboxCommand, SandboxCommandOutcome, SandboxRunner } from './types.js';
import { prepareWorkTree } from './work-tree-access.js';
import { handOverWorkTree } from './work-tree-ownership.js';

export interface BwrapRunnerSetup {
  readonly bwrapPath: string;
  /** options of this bubblewrap version the arguments may use */
  readonly features: BwrapFeatures;
  readonly prlimitPath: string;
  /** needed when the account is switched to (lvlup runs as root) */
  readonly setprivPath: string | undefined;
  readonly account: SandboxAccount;
  /** paths never shown (resolved at each run) */
  readonly hiddenPaths: readonly string[];
}

/**
 * Runs commands under bubblewrap: own network, pid, IPC and UTS namespaces; a read-only view of the
 * system folders and chosen /etc files; the work tree and a private /tmp the only writable places;
 * lvlup's hidden paths covered; then (as root) a switch to the unprivileged account with no
 * capabilities and no new privileges, and the rlimits, before `/bin/sh -c`.
 */
export class BwrapSandboxRunner implements SandboxRunner {
  readonly isolation = 'bwrap' as const;
  readonly mode = 'bwrap' as const;

  constructor(private readonly setup: BwrapRunnerSetup) {
    if (setup.account.switchTo && !setup.setprivPath) throw new TypeError('setpriv is needed to switch accounts');
  }

  async handOver(workTree: string): Promise<void> {
    if (this.setup.account.switchTo) await handOverWorkTree(workTree, this.setup.account);
  }

  async run(input: SandboxCommand): Promise<SandboxCommandOutcome> {
    const { account, hiddenPaths } = this.setup;
    const hidden = await existingHostPaths(hiddenPaths);
    const command = await checkCommand(input, hidden);
    const { limits } = command;
    const environment = sandboxEnvironment({
      home: '/tmp',
      user: account.name,
      toolPaths: command.toolPaths,
      extra: input.environment,
    });
    const generated = generatedEtcFiles({ ...account, home: '/tmp' });
    // Under a user namespace of its own the count is the sandbox's alone; as the shared unprivileged
    // account it includes that account's other processes, which are added to the allowance.
    const nproc =
      limits.processes + processesHeadroom(limits) + (account.switchTo ? await tasksOfAccount(account.uid) : 2);
    const inner = [
      ...(account.switchTo ? switchAccountArguments(this.setup.setprivPath!, account) : []),
      this.setup.prlimitPath,
      ...prlimitArguments(limits, nproc),
      '--',
      '/bin/sh',
      '-c',
      command.command,
    ];
    const args = bwrapArguments({
      workTree: command.workTree,
      readOnlyBinds: command.readOnlyBinds,
      toolPaths: command.toolPaths,
      hiddenPaths: hidden,
      system: systemMounts(),
      features: this.setup.features,
      generatedFiles: generated.map((file) => file.target),
      tmpBytes: limits.tmpBytes,
      userNamespace: !account.switchTo,
      inner,
    });
    const lease = await prepareWorkTree({
      workTree: command.workTree,
      owner: account.switchTo ? account : undefined,
      mountPoints: command.readOnlyBinds,
    });
    try {
      return await superviseCommand({
        file: this.setup.bwrapPath,
        args,
        env: environment,
        cwd: '/',
        inputs: generated.map((file) => file.content),
        limits,
        wrapperGenerations: 2,
        isolation: 'bwrap',
        ...(input.signal ? { signal: input.signal } : {}),
        ...(input.onOutput ? { onOutput: input.onOutput } : {}),
      });
    } finally {
      await lease.release();
    }
  }
}
