import { ancestorsOf, isWithin } from './paths.js';
import type { SystemMount } from './system-mounts.js';

/** A host path and whether it is a folder (folders are hidden under an empty tmpfs, files under /dev/null). */
export interface HostPath {
  readonly path: string;
  readonly directory: boolean;
}

/** Options that only newer bubblewrap versions know (both are in 0.8, Debian 12). */
export interface BwrapFeatures {
  /** `--size` for tmpfs (0.7) */
  readonly tmpfsSize: boolean;
  /** `--disable-userns` (0.8) */
  readonly disableUserns: boolean;
}

/** Reads the features from `bwrap --help`. */
export function bwrapFeatures(help: string): BwrapFeatures {
  return { tmpfsSize: help.includes('--size'), disableUserns: help.includes('--disable-userns') };
}

export interface BwrapPlan {
  readonly features: BwrapFeatures;
  readonly workTree: string;
  readonly readOnlyBinds: readonly { source: string; target: string }[];
  readonly toolPaths: readonly string[];
  /** existing host paths that must not be visible */
  readonly hiddenPaths: readonly HostPath[];
  readonly system: readonly SystemMount[];
  /** files written into the sandbox's /etc from descriptors 3, 4, … in this order */
  readonly generatedFiles: readonly string[];
  /** size of the private /tmp and /dev/shm */
  readonly tmpBytes: number;
  /** lvlup is not root: bubblewrap runs the sandbox in a user namespace of its own */
  readonly userNamespace: boolean;
  /** the command line run inside (after the mounts): privilege drop, rlimits, shell */
  readonly inner: readonly string[];
}

/**
 * The bubblewrap command line for one run. Mount order matters: a later mount covers an earlier one,
 * so hidden paths are covered right after the mount that would show them, and the work tree and the
 * read-only binds (explicit, per command) come after the system and tool folders.
 */
export function bwrapArguments(plan: BwrapPlan): string[] {
  const args: string[] = [
    '--unshare-net',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(plan.userNamespace ? ['--unshare-user', ...(plan.features.disableUserns ? ['--disable-userns'] : [])] : []),
    '--die-with-parent',
    '--new-session',
    '--hostname',
    'sandbox',
  ];
  /** what is mounted so far: host folders (exist with their content) and empty tmpfs folders */
  const mounts: { path: string; host: boolean }[] = [{ path: '/', host: false }];
  const made = new Set<string>(['/']);
  const exists = (target: string): boolean => {
    if (made.has(target)) return true;
    const covering = mounts
      .filter((mount) => isWithin(target, mount.path))
      .sort((a, b) => b.path.length - a.path.length)[0];
    return covering !== undefined && (covering.path === target || covering.host);
  };
  const makeParents = (target: string): void => {
    for (const ancestor of ancestorsOf(target)) {
      if (exists(ancestor)) continue;
      args.push('--perms', '0755', '--dir', ancestor);
      made.add(ancestor);
    }
  };
  /**
   * Covers the hidden paths a mount of `source` at `target` would show (not the mount itself, which
   * was asked for explicitly). Mounts that come later still show on top of the cover.
   */
  const hide = (source: string, target: string): void => {
    for (const hidden of plan.hiddenPaths) {
      if (hidden.path === source || !isWithin(hidden.path, source)) continue;
      const inside = target + hidden.path.slice(source.length);
      makeParents(inside);
      if (hidden.directory) {
        args.push('--tmpfs', inside);
        mounts.push({ path: inside, host: false });
      } else {
        args.push('--ro-bind', '/dev/null', inside);
      }
    }
  };
  const bind = (kind: '--ro-bind' | '--bind', source: string, target: string): void => {
    makeParents(target);
    args.push(kind, source, target);
    mounts.push({ path: target, host: true });
    hide(source, target);
  };

  for (const mount of plan.system) {
    if (mount.kind === 'symlink') {
      makeParents(mount.path);
      args.push('--symlink', mount.target, mount.path);
      made.add(mount.path);
    } else {
      bind('--ro-bind', mount.path, mount.path);
    }
  }
  plan.generatedFiles.forEach((target, index) => {
    makeParents(target);
    args.push('--perms', '0644', '--ro-bind-data', String(3 + index), target);
  });
  const tmpSize = plan.features.tmpfsSize ? ['--size', String(plan.tmpBytes)] : [];
  makeParents('/tmp');
  args.push('--perms', '1777', ...tmpSize, '--tmpfs', '/tmp');
  mounts.push({ path: '/tmp', host: false });
  args.push('--proc', '/proc', '--dev', '/dev');
  mounts.push({ path: '/proc', host: true }, { path: '/dev', host: true });
  args.push('--perms', '1777', ...tmpSize, '--tmpfs', '/dev/shm');
  // An empty tmpfs: folders a bind below it needs (work trees may live in the host's /dev/shm) are made
  // here with 0755, not left to bubblewrap, which makes missing parents 0700 — unreachable for the account.
  mounts.push({ path: '/dev/shm', host: false });
  for (const tool of plan.toolPaths) bind('--ro-bind', tool, tool);
  bind('--bind', plan.workTree, plan.workTree);
  for (const entry of plan.readOnlyBinds) bind('--ro-bind', entry.source, entry.target);
  args.push('--chdir', plan.workTree, '--', ...plan.inner);
  return args;
}
