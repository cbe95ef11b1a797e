import { randomBytes } from 'node:crypto';
import { type Algorithm, hash, verify } from '@node-rs/argon2';
import { AppError } from '../platform/errors.ts';

/**
 * Console passwords, stored as argon2id PHC strings (`$argon2id$v=19$m=…`).
 * Parameters: OWASP's first recommendation (19 MiB, 2 passes, 1 lane), about
 * 20-40 ms per hash on a server core; the hash string carries them, so raising
 * them later keeps old hashes verifiable.
 */
const ARGON2ID = 2 as Algorithm; // Algorithm.Argon2id (an ambient const enum, which isolatedModules cannot read)
const options = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 12;
/** Hashing is the cost; a megabyte of "password" is only a way to spend it. */
export const PASSWORD_MAX_LENGTH = 256;

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (password.trim().length === 0) return 'must not be blank';
  return null;
}

export async function hashPassword(password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new AppError(400, 'invalid_request', `the password ${problem}`, 'password');
  return hash(password, options);
}

/** True when `password` matches the stored hash; false for a wrong password or a hash that cannot be read. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX_LENGTH) return false;
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;

/**
 * Spends the time of a real verification against a hash no password matches:
 * for an unknown store or e-mail, so that the answer's timing does not tell
 * which accounts exist. Always false.
 */
export async function verifyDummy(password: string): Promise<false> {
  dummy ??= hash(randomBytes(32).toString('base64url'), options);
  await verifyPassword(await dummy, password.slice(0, PASSWORD_MAX_LENGTH));
  return false;
}

/** A password to hand out once: 128 random bits, 22 URL-safe characters. */
export function randomPassword(): string {
  return randomBytes(16).toString('base64url');
}
