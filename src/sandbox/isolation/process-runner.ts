import { chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkCommand, existingHostPaths } from './command-input.js';
import { sandboxEnvironment } from './environment.js';
import { prlimitArguments, processesHeadroom } from './limits.js';
import { canTraverseTo, switchAccountArguments, tasksOfAccount, type SandboxAccount } from './sandbox-account.js';
import { superviseCommand } from './supervised-run.js';
import type { SandboxCommand, SandboxCommandOutcome, SandboxRunner } from './types.js';
import { prepareWorkTree } from './work-tree-access.js';
import { handOverWorkTree } from './work-tree-ownership.js';

export interface ProcessRunnerSetup {
  readonly prlimitPath: string;
  readonly setprivPath: string | undefined;
  readonly account: SandboxAccount;
  /** paths never shown (resolved at each run) */
  readonly hiddenPaths: readonly string[];
}

/**
 * The fallback without bubblewrap (isolation `none`): the same limits — rlimits through prlimit, the
 * wall clock, the tree watch, the output cap — and the reduced environment, but no namespaces: the
 * command sees the machine's file system and network. When lvlup runs as root and the account can
 * reach the work tree, the command runs as that unprivileged account, so file permissions still keep
 * it out of lvlup's data folder and other accounts' files. Read-only binds into the work tree become
 * symbolic links (not read-only by themselves); tool and hidden paths need nothing (everything is
 * visible anyway).
 */
export class ProcessSandboxRunner implements SandboxRunner {
  readonly isolation = 'none' as const;
  readonly mode = 'process' as const;

  constructor(private readonly setup: ProcessRunnerSetup) {}

  async handOver(workTree: string): Promise<void> {
    const { account, setprivPath } = this.setup;
    if (account.switchTo && setprivPath !== undefined && (await canTraverseTo(workTree, account))) {
      await handOverWorkTree(workTree, account);
    }
  }

  async run(input: SandboxCommand): Promise<SandboxCommandOutcome> {
    const { hiddenPaths, prlimitPath, setprivPath } = this.setup;
    const hidden = await existingHostPaths(hiddenPaths);
    const command = await checkCommand(input, hidden);
    const { limits } = command;
    const switchTo =
      this.setup.account.switchTo &&
      setprivPath !== undefined &&
      (await canTraverseTo(command.workTree, this.setup.account));
    const account: SandboxAccount = switchTo
      ? this.setup.account
      : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, name: 'sandbox', switchTo: false };

    const home = await mkdtemp(path.join(os.tmpdir(), 'lvlup-sandbox-home-'));
    try {
      if (switchTo) await chown(home, account.uid, account.gid);
      const lease = await prepareWorkTree({
        workTree: command.workTree,
        owner: switchTo ? account : undefined,
        links: command.readOnlyBinds,
      });
      try {
        const environment = sandboxEnvironment({
          home,
          user: account.name,
          toolPaths: command.toolPaths,
          extra: input.environment,
        });
        const nproc = limits.processes + processesHeadroom(limits) + (await tasksOfAccount(account.uid));
        const prlimit = [prlimitPath, ...prlimitArguments(limits, nproc), '--', '/bin/sh', '-c', command.command];
        const argv = switchTo && setprivPath ? [...switchAccountArguments(setprivPath, account), ...prlimit] : prlimit;
        return await superviseCommand({
          file: argv[0]!,
          args: argv.slice(1),
          env: environment,
          cwd: command.workTree,
          limits,
          wrapperGenerations: 0,
          isolation: 'none',
          ...(input.signal ? { signal: input.signal } : {}),
          ...(input.onOutput ? { onOutput: input.onOutput } : {}),
        });
      } finally {
        await lease.release();
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }
}
