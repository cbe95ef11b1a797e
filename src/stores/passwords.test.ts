import { describe, expect, it } from 'vitest';
import { hashPassword, PASSWORD_MIN_LENGTH, passwordProblem, randomPassword, verifyDummy, verifyPassword } from './passwords.ts';

describe('console passwords', () => {
  it('hashes with argon2id (OWASP parameters, random salt) and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(b).not.toBe(a);
    expect(await verifyPassword(a, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(b, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(a, 'correct horse batterY')).toBe(false);
    expect(await verifyPassword(a, '')).toBe(false);
  });

  it('refuses short, blank and huge passwords, and treats an unreadable hash as a mismatch', async () => {
    expect(passwordProblem('x'.repeat(PASSWORD_MIN_LENGTH - 1))).toMatch(/at least 12/);
    expect(passwordProblem('x'.repeat(PASSWORD_MIN_LENGTH))).toBeNull();
    expect(passwordProblem(' '.repeat(20))).toMatch(/blank/);
    expect(passwordProblem('x'.repeat(257))).toMatch(/at most/);
    await expect(hashPassword('short')).rejects.toMatchObject({ status: 400, path: 'password' });
    expect(await verifyPassword('not a hash', 'whatever-password')).toBe(false);
    expect(await verifyPassword('$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB', 'whatever-password')).toBe(false);
  });

  it('spends a real verification on unknown accounts, and never succeeds', async () => {
    const hash = await hashPassword('some password here');
    await verifyDummy('warm-up pass');
    const time = async (f: () => Promise<unknown>) => {
      const t = performance.now();
      for (let i = 0; i < 5; i++) await f();
      return (performance.now() - t) / 5;
    };
    const real = await time(() => verifyPassword(hash, 'some wrong password'));
    const dummy = await time(() => verifyDummy('some wrong password'));
    expect(await verifyDummy('')).toBe(false);
    // Same parameters, so about the same cost; a dummy that skipped the work would be ~100x faster.
    expect(dummy).toBeGreaterThan(real / 3);
  });

  it('generates 128-bit random passwords that pass the policy', () => {
    const p = randomPassword();
    expect(p).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(passwordProblem(p)).toBeNull();
    expect(randomPassword()).not.toBe(p);
  });
});
