import { readdir, readFile, stat } from 'node:fs/promises';
import { ancestorsOf } from './paths.js';
import { parseProcessStat } from './process-tree.js';

/** The account a sandboxed command runs as (65534 is `nobody` on Linux distributions). */
export interface SandboxAccount {
  readonly uid: number;
  readonly gid: number;
  /** its name in the sandbox's generated /etc/passwd */
  readonly name: string;
  /** whether lvlup (running as root) must switch to it; otherwise the command keeps lvlup's account */
  readonly switchTo: boolean;
}

export const DEFAULT_SANDBOX_UID = 65534;
export const DEFAULT_SANDBOX_GID = 65534;

/**
 * Who runs sandboxed commands. RLIMIT_NPROC does not bind root, and root would pass every file
 * permission, so when lvlup runs as root commands run as an unprivileged account instead; otherwise
 * they run as lvlup's own account (under bubblewrap, in a user namespace of their own).
 */
export function sandboxAccount(options: {
  sandboxUid?: number | undefined;
  sandboxGid?: number | undefined;
}): SandboxAccount {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  if (uid !== 0) return { uid, gid, name: 'sandbox', switchTo: false };
  const sandboxUid = options.sandboxUid ?? DEFAULT_SANDBOX_UID;
  const sandboxGid = options.sandboxGid ?? DEFAULT_SANDBOX_GID;
  for (const [name, id] of [
    ['sandboxUid', sandboxUid],
    ['sandboxGid', sandboxGid],
  ] as const) {
    if (!Number.isSafeInteger(id) || id <= 0 || id >= 2 ** 32 - 1)
      throw new RangeError(`${name} must be a positive id`);
  }
  return { uid: sandboxUid, gid: sandboxGid, name: 'sandbox', switchTo: true };
}

/**
 * Tasks (processes and threads) the account runs now. RLIMIT_NPROC counts all of them, so a
 * command's allowance is this plus its own limit.
 */
export async function tasksOfAccount(uid: number): Promise<number> {
  let names: string[] = [];
  try {
    names = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  const counts = await Promise.all(
    names.map(async (name) => {
      try {
        const [owner, text] = await Promise.all([stat(`/proc/${name}`), readFile(`/proc/${name}/stat`, 'utf8')]);
        return owner.uid === uid ? (parseProcessStat(text)?.threads ?? 0) : 0;
      } catch {
        return 0;
      }
    }),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

/** Whether the account can reach `target` by path: every folder above it lets it search (x). */
export async function canTraverseTo(target: string, account: { uid: number; gid: number }): Promise<boolean> {
  for (const folder of ancestorsOf(target)) {
    try {
      const stats = await stat(folder);
      const bit = stats.uid === account.uid ? 0o100 : stats.gid === account.gid ? 0o010 : 0o001;
      if ((stats.mode & bit) === 0) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * The `setpriv` (util-linux) prefix that switches to the account before the command: no
 * supplementary groups, no capabilities (inheritable, ambient or bounding), no new privileges
 * (set-user-id programs such as sudo or su cannot raise them again).
 */
export function switchAccountArguments(setprivPath: string, account: { uid: number; gid: number }): string[] {
  return [
    setprivPath,
    `--reuid=${account.uid}`,
    `--regid=${account.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ];
}
