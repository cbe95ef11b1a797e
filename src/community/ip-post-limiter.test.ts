/**
 * The in-memory per-address limit of the community: IPv6 visitors are counted by their /64 (one home gets a whole
 * /64 and can pick any address in it), IPv4-mapped addresses as IPv4, and when the table is full the oldest
 * windows make room — the addresses counted recently keep their counts.
 */
import { describe, expect, it } from 'vitest';
import { IpPostLimiter, ipBucket } from './posts.ts';

const HOUR = 3_600_000;

describe('ipBucket', () => {
  it('keeps IPv4, maps IPv4-mapped IPv6 to IPv4, and cuts IPv6 to its /64 in one spelling', () => {
    expect(ipBucket('10.0.0.1')).toBe('10.0.0.1');
    expect(ipBucket('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(ipBucket('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(ipBucket('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(ipBucket('2001:0DB8:0001:0002:ffff::1')).toBe('2001:db8:1:2::/64');
    expect(ipBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ipBucket('2001:db8:0:0:1::')).toBe('2001:db8:0:0::/64');
    expect(ipBucket('::1')).toBe('0:0:0:0::/64');
    expect(ipBucket('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(ipBucket('not an address')).toBe('not an address');
  });
});

describe('IpPostLimiter', () => {
  it('counts every address of one IPv6 /64 together, another /64 apart', () => {
    const l = new IpPostLimiter();
    const t0 = 1_000_000;
    expect(l.take('acme', '2001:db8:aa:1::1', 2, t0)).toBe(true);
    expect(l.take('acme', '2001:db8:aa:1::2', 2, t0)).toBe(true);
    expect(l.take('acme', '2001:db8:aa:1:ffff:ffff:ffff:ffff', 2, t0)).toBe(false);
    expect(l.take('acme', '2001:db8:aa:2::1', 2, t0)).toBe(true);
    // Another store counts on its own; an hour later the window starts again.
    expect(l.take('other', '2001:db8:aa:1::9', 2, t0)).toBe(true);
    expect(l.take('acme', '2001:db8:aa:1::3', 2, t0 + HOUR)).toBe(true);
  });

  it('counts an IPv4-mapped address as the IPv4 address', () => {
    const l = new IpPostLimiter();
    expect(l.take('acme', '10.1.1.1', 1, 0)).toBe(true);
    expect(l.take('acme', '::ffff:10.1.1.1', 1, 0)).toBe(false);
  });

  it('when full, drops the oldest windows (expired first), not every count', () => {
    const l = new IpPostLimiter(3);
    const t0 = 10 * HOUR;
    expect(l.take('s', '10.0.0.1', 1, t0)).toBe(true);
    expect(l.take('s', '10.0.0.2', 1, t0 + 1)).toBe(true);
    expect(l.take('s', '10.0.0.3', 1, t0 + 2)).toBe(true);
    expect(l.size).toBe(3);
    // A fourth address: the oldest (…1) makes room; …2 and …3 are still at their limit.
    expect(l.take('s', '10.0.0.4', 1, t0 + 3)).toBe(true);
    expect(l.size).toBe(3);
    expect(l.take('s', '10.0.0.2', 1, t0 + 4)).toBe(false);
    expect(l.take('s', '10.0.0.3', 1, t0 + 4)).toBe(false);
    expect(l.take('s', '10.0.0.4', 1, t0 + 4)).toBe(false);
    // …1 was forgotten, so it starts a new window, and the oldest (…2) goes.
    expect(l.take('s', '10.0.0.1', 1, t0 + 5)).toBe(true);
    expect(l.take('s', '10.0.0.3', 1, t0 + 6)).toBe(false);
    // An hour on, the expired windows go first and the table never grows past its size.
    expect(l.take('s', '10.0.0.9', 1, t0 + HOUR + 3)).toBe(true);
    expect(l.size).toBeLessThanOrEqual(3);
    expect(l.take('s', '10.0.0.1', 1, t0 + HOUR + 3)).toBe(false);
  });
});
