import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.ts';

describe('RateLimiter', () => {
  it('allows the limit per window and per key, then says how long to wait', () => {
    let t = 1000;
    const r = new RateLimiter(3, 60_000, () => t);
    expect([r.take('a'), r.take('a'), r.take('a')]).toEqual([0, 0, 0]);
    expect(r.take('b')).toBe(0);
    t += 10_000;
    expect(r.take('a')).toBe(50_000);
    t += 50_000;
    expect(r.take('a')).toBe(0);
  });

  it('forgets expired windows when it is full, so memory stays bounded', () => {
    let t = 0;
    const r = new RateLimiter(1, 1000, () => t, 2);
    r.take('a');
    r.take('b');
    t = 5000;
    expect(r.take('c')).toBe(0);
    expect(r.take('a')).toBe(0);
    expect(r.take('a')).toBeGreaterThan(0);
  });
});
