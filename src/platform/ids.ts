import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from './clock.ts';

/**
 * Time-ordered ids (UUIDv7 from the injected clock), prefixed by what they name,
 * so that ids sort by creation and read well in logs: `case_0195…`.
 */
export function newId(prefix: string, clock: Clock): string {
  const u = uuidv7({ msecs: clock.now().getTime(), random: randomBytes(16) });
  return `${prefix}_${u.replaceAll('-', '')}`;
}
