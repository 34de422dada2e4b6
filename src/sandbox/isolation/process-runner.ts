import { chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkCommand, existingHostPaths } from './command-input.js';
import { sandboxEnvironment } from './environment.js';
import { SandboxRefusedError } from './errors.js';
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
 * command sees the machine's file system and network. It never runs as root: when lvlup runs as root
 * the command runs as the unprivileged account (setpriv: no groups, no capabilities, no new privileges),
 * so file permissions still keep it out of lvlup's data folder and other accounts' files, and a work
 * tree that account cannot reach is refused (SandboxRefusedError). Read-only binds into the work tree become
 * symbolic links (not read-only by themselves); tool and hidden paths need nothing (everything is
 * visible anyway).
 */
export class ProcessSandboxRunner implements SandboxRunner {
  readonly isolation = 'none' as const;
  readonly mode = 'process' as const;

  constructor(private readonly setup: ProcessRunnerSetup) {
    if (setup.account.switchTo && !setup.setprivPath) throw new TypeError('setpriv is needed to switch accounts');
  }

  async handOver(workTree: string): Promise<void> {
    const { account } = this.setup;
    if (account.switchTo && (await canTraverseTo(workTree, account))) await handOverWorkTree(workTree, account);
  }

  async run(input: SandboxCommand): Promise<SandboxCommandOutcome> {
    const { hiddenPaths, prlimitPath, setprivPath } = this.setup;
    const hidden = await existingHostPaths(hiddenPaths);
    const command = await checkCommand(input, hidden);
    const { limits } = command;
    const switchTo = this.setup.account.switchTo;
    if (switchTo && !(await canTraverseTo(command.workTree, this.setup.account))) {
      throw new SandboxRefusedError(
        `process mode never runs commands as root, and the sandbox account (uid ${this.setup.account.uid}) ` +
          `cannot reach the work tree ${command.workTree}: make every folder above it searchable by others ` +
          '(e.g. mode 0711), or set SANDBOX_WORK_DIR to such a folder',
      );
    }
    const account: SandboxAccount = this.setup.account;

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
