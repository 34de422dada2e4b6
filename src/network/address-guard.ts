import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Decides whether lvlup may open an outgoing connection to an address: what a caller names (a clone URL
 * today, a webhook tomorrow) must not reach this machine or its private network unless the operator
 * allows it with LVLUP_OUTBOUND_ALLOW.
 */

type Family = 'ipv4' | 'ipv6';

const RANGES: readonly (readonly [network: string, prefix: number, family: Family, kind: string])[] = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'shared address space (CGNAT)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignment'],
  ['192.0.2.0', 24, 'ipv4', 'documentation'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking'],
  ['198.51.100.0', 24, 'ipv4', 'documentation'],
  ['203.0.113.0', 24, 'ipv4', 'documentation'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved or broadcast'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  // IPv4-compatible (deprecated) addresses; IPv4-mapped ones (::ffff:0:0/96) BlockList checks against the IPv4 ranges.
  ['::', 96, 'ipv6', 'IPv4-compatible'],
  ['::ffff:0:0:0', 96, 'ipv6', 'IPv4-translated'],
  ['100::', 64, 'ipv6', 'discard-only'],
  ['2001::', 32, 'ipv6', 'Teredo tunnelling'],
  ['64:ff9b:1::', 48, 'ipv6', 'local-use IPv4/IPv6 translation'],
  ['2001:db8::', 32, 'ipv6', 'documentation'],
  ['fc00::', 7, 'ipv6', 'unique-local'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fec0::', 10, 'ipv6', 'site-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const CLASSES = RANGES.map(([network, prefix, family, kind]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, kind };
});

/** The 16 bytes of an IPv6 address (which isIP accepted), for the IPv4 address some prefixes embed. */
function ipv6Bytes(address: string): number[] {
  let text = address.replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a, b, c, d] = dotted[1].split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return all.flatMap((group) => [group >> 8, group & 0xff]);
}

/** The IPv4 address that NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses carry, if any. */
function embeddedIpv4(address: string): string | undefined {
  const bytes = ipv6Bytes(address);
  const prefix = bytes.slice(0, 12).join('.');
  if (prefix === '0.100.255.155.0.0.0.0.0.0.0.0') return bytes.slice(12).join('.');
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6).join('.');
  return undefined;
}

/** Why an address is not for outgoing connections (loopback, private, …), or undefined if it is public. */
export function disallowedKind(address: string): string | undefined {
  const version = isIP(address);
  if (version === 0) return 'not an IP address';
  const family: Family = version === 4 ? 'ipv4' : 'ipv6';
  for (const { list, kind } of CLASSES) if (list.check(address, family)) return kind;
  if (family === 'ipv6') {
    const embedded = embeddedIpv4(address);
    if (embedded !== undefined) {
      const kind = disallowedKind(embedded);
      if (kind !== undefined) return `${kind} (embedded in ${address})`;
    }
  }
  return undefined;
}

/** Parses `address` or `address/prefix` (an IPv4 or IPv6 network), or answers undefined. */
export function parseCidr(entry: string): { network: string; prefix: number; family: Family } | undefined {
  const [network = '', prefixText, extra] = entry.trim().split('/');
  const version = isIP(network);
  if (version === 0 || extra !== undefined) return undefined;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return undefined;
  return { network, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

export class OutboundAddressError extends Error {
  constructor(
    /** `refused`: an address is loopback, private, …; `unresolved`: the host name has no address */
    readonly reason: 'refused' | 'unresolved',
    readonly host: string,
    message: string,
  ) {
    super(message);
    this.name = 'OutboundAddressError';
  }
}

export interface OutboundTarget {
  /** the host as the URL names it (brackets removed from an IPv6 literal) */
  readonly host: string;
  /** the checked address to connect to */
  readonly address: string;
  /** whether the host is an IP literal (nothing to resolve, nothing to pin) */
  readonly literal: boolean;
}

export type Resolver = (host: string) => Promise<readonly string[]>;

const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * The guard: `allow` holds the operator's networks (LVLUP_OUTBOUND_ALLOW) that may be reached although
 * they are loopback, private, etc.
 */
export class OutboundAddressGuard {
  private readonly allowed = new BlockList();

  constructor(
    allow: readonly string[],
    private readonly resolve: Resolver = systemResolver,
  ) {
    for (const entry of allow) {
      const cidr = parseCidr(entry);
      if (!cidr) throw new Error(`not an IP network: ${entry}`);
      this.allowed.addSubnet(cidr.network, cidr.prefix, cidr.family);
    }
  }

  /** Why lvlup must not connect to `address`, or undefined if it may. */
  refusal(address: string): string | undefined {
    const kind = disallowedKind(address);
    if (kind === undefined) return undefined;
    return this.allowed.check(address, isIP(address) === 4 ? 'ipv4' : 'ipv6') ? undefined : kind;
  }

  /**
   * Resolves `hostname` (as WHATWG URL gives it: numeric forms such as 2130706433 or 0x7f.1 already
   * normalised, IPv6 in brackets) and answers an address to connect to. Every address the name has must be
   * allowed, not just the first: which one a client picks is not ours to decide.
   */
  async check(hostname: string): Promise<OutboundTarget> {
    const host = hostname.replace(/^\[(.*)\]$/, '$1');
    const literal = isIP(host) !== 0;
    let addresses: readonly string[];
    if (literal) addresses = [host];
    else {
      try {
        addresses = await this.resolve(host);
      } catch (error) {
        throw new OutboundAddressError(
          'unresolved',
          host,
          `${host} could not be resolved: ${(error as Error).message}`,
        );
      }
      if (addresses.length === 0) throw new OutboundAddressError('unresolved', host, `${host} has no address`);
    }
    for (const address of addresses) {
      const kind = this.refusal(address);
      if (kind !== undefined) {
        const shown = literal ? address : `${host} (${address})`;
        throw new OutboundAddressError(
          'refused',
          host,
          `${shown}: lvlup does not connect to ${kind} addresses unless LVLUP_OUTBOUND_ALLOW includes them`,
        );
      }
    }
    return { host, address: addresses[0] as string, literal };
  }
}
