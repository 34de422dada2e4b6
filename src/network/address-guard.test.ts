import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { disallowedKind, OutboundAddressError, OutboundAddressGuard, parseCidr } from './address-guard.js';

const refusedWith = (reason: 'refused' | 'unresolved') => (error: unknown) =>
  error instanceof OutboundAddressError && error.reason === reason;

describe('outbound address guard', () => {
  for (const [address, kind] of [
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared address space'],
    ['169.254.169.254', 'link-local'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved or broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::7f00:1', 'IPv4-compatible'],
    ['fd00::1', 'unique-local'],
    ['fc12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['64:ff9b::7f00:1', 'loopback (embedded'],
    ['64:ff9b::10.0.0.1', 'private (embedded'],
    ['2002:c0a8:0101::1', 'private (embedded'],
    ['::ffff:0:7f00:1', 'IPv4-translated'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
  ] as const) {
    it(`classifies ${address} as ${kind}`, () => {
      assert.ok(disallowedKind(address)?.startsWith(kind), `${address}: ${disallowedKind(address)}`);
    });
  }

  for (const address of [
    '140.82.112.3',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '64:ff9b::8.8.8.8',
  ]) {
    it(`lets the public address ${address} through`, () => {
      assert.equal(disallowedKind(address), undefined);
    });
  }

  it('refuses a host name if any of its addresses is disallowed, not only the first', async () => {
    const guard = new OutboundAddressGuard([], async () => ['140.82.112.3', '127.0.0.1']);
    await assert.rejects(guard.check('git.example.com'), (error: unknown) => {
      assert.ok(refusedWith('refused')(error));
      assert.match((error as Error).message, /git\.example\.com \(127\.0\.0\.1\).*loopback/);
      return true;
    });
  });

  it('answers the checked address of a public host name, to pin the connection to', async () => {
    const guard = new OutboundAddressGuard([], async () => ['140.82.112.3', '140.82.112.4']);
    assert.deepEqual(await guard.check('github.com'), { host: 'github.com', address: '140.82.112.3', literal: false });
  });

  it('checks IP literals without resolving them, brackets and all', async () => {
    const guard = new OutboundAddressGuard([], async () => assert.fail('must not resolve a literal'));
    await assert.rejects(guard.check('[::1]'), refusedWith('refused'));
    await assert.rejects(guard.check('127.0.0.1'), refusedWith('refused'));
    assert.deepEqual(await guard.check('[2606:4700::1111]'), {
      host: '2606:4700::1111',
      address: '2606:4700::1111',
      literal: true,
    });
  });

  it('lets the operator allow-list through, and only it', async () => {
    const guard = new OutboundAddressGuard(['127.0.0.1/32', 'fd00::/8'], async () => ['127.0.0.1']);
    assert.equal((await guard.check('localhost')).address, '127.0.0.1');
    assert.equal(guard.refusal('fd12::1'), undefined);
    assert.equal(guard.refusal('127.0.0.2'), 'loopback');
    assert.equal(guard.refusal('::1'), 'loopback');
    assert.equal(guard.refusal('10.0.0.1'), 'private');
  });

  it('answers a name without an address as unresolved', async () => {
    const guard = new OutboundAddressGuard([], async () => {
      throw new Error('getaddrinfo ENOTFOUND nowhere.invalid');
    });
    await assert.rejects(guard.check('nowhere.invalid'), refusedWith('unresolved'));
    await assert.rejects(new OutboundAddressGuard([], async () => []).check('empty.test'), refusedWith('unresolved'));
  });

  it('parses addresses and networks for the allow-list', () => {
    assert.deepEqual(parseCidr('10.0.0.0/8'), { network: '10.0.0.0', prefix: 8, family: 'ipv4' });
    assert.deepEqual(parseCidr('::1'), { network: '::1', prefix: 128, family: 'ipv6' });
    for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.0/', '10.0.0.0/8/8', '::/129', '0x7f.1']) {
      assert.equal(parseCidr(bad), undefined, bad);
    }
  });
});
