import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/**
 * Top-level system folders shown read-only. On merged-/usr systems /bin, /lib, … are symbolic links
 * into /usr and are recreated as links; /opt holds system-wide tool installations.
 */
const SYSTEM_FOLDERS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/opt'];

/**
 * Entries of /etc that programs need and that hold no secrets: dynamic linker, certificates (public),
 * alternatives links, time zone, name service switch (files only: there is no network), MIME and
 * protocol tables, OS identification, and the configuration of interpreters installed from packages.
 * Left out on purpose: passwd/group (generated instead), shadow, sudoers, ssh, hostname, resolv.conf,
 * environment, profile, npmrc, pip.conf, gitconfig, netrc and anything else that may hold credentials.
 */
const ETC_ENTRIES = [
  'alternatives',
  'ca-certificates',
  'ca-certificates.conf',
  'ssl',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'localtime',
  'timezone',
  'nsswitch.conf',
  'host.conf',
  'gai.conf',
  'protocols',
  'services',
  'mime.types',
  'magic',
  'magic.mime',
  'os-release',
  'debian_version',
  'lsb-release',
  'inputrc',
  'perl',
];
/** Package-installed interpreters keep configuration here (e.g. /etc/python3.11, /etc/java-17-openjdk). */
const ETC_PATTERNS = [/^python3(\.\d+)?$/, /^java-\d+-openjdk$/];

export type SystemMount =
  | { readonly kind: 'ro-bind'; readonly path: string }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string };

function systemMountOf(folder: string): SystemMount | undefined {
  try {
    const stats = lstatSync(folder);
    if (stats.isSymbolicLink()) return { kind: 'symlink', path: folder, target: readlinkSync(folder) };
    if (stats.isDirectory() || stats.isFile()) return { kind: 'ro-bind', path: folder };
  } catch {
    // not on this machine
  }
  return undefined;
}

/** The system folders and /etc entries of this machine, in mount order. */
export function systemMounts(): SystemMount[] {
  let etc: string[] = [];
  try {
    etc = readdirSync('/etc');
  } catch {
    etc = [];
  }
  const names = [...ETC_ENTRIES, ...etc.filter((name) => ETC_PATTERNS.some((pattern) => pattern.test(name)))];
  return [...SYSTEM_FOLDERS, ...names.map((name) => path.join('/etc', name))]
    .map(systemMountOf)
    .filter((mount): mount is SystemMount => mount !== undefined);
}

/** Files generated for the sandbox's /etc: its accounts and a hosts file for loopback only. */
export function generatedEtcFiles(account: { uid: number; gid: number; name: string; home: string }): {
  target: string;
  content: string;
}[] {
  const users = [`root:x:0:0:root:/root:/usr/sbin/nologin`];
  const groups = [`root:x:0:`];
  if (account.uid !== 0)
    users.push(`${account.name}:x:${account.uid}:${account.gid}:${account.name}:${account.home}:/bin/sh`);
  if (account.gid !== 0) groups.push(`${account.name}:x:${account.gid}:`);
  return [
    { target: '/etc/passwd', content: `${users.join('\n')}\n` },
    { target: '/etc/group', content: `${groups.join('\n')}\n` },
    { target: '/etc/hosts', content: '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' },
    { target: '/etc/hostname', content: 'sandbox\n' },
  ];
}
