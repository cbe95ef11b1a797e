import { z } from 'zod';
import { AppError } from '../errors.ts';

/** Shared pieces of route schemas. */
export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), path: z.string().optional() }).loose(),
});

export const moneySchema = z.object({ amount: z.number().int(), currency: z.string() });

export const pageLimit = z.coerce.number().int().min(1).max(200).default(50);

/** Opaque keyset cursors: the sort key of the last row, base64url JSON. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): (string | number)[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === arity && key.every((k) => typeof k === 'string' || typeof k === 'number')) {
      return key;
    }
  } catch {
    // fall through
  }
  throw new AppError(400, 'invalid_request', 'cursor is not one this API gave out', 'cursor');
}
