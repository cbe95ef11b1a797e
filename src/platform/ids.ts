import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from './clock.ts';

/** Last millisecond an id was made for, and the counter within it. */
const state = { msecs: Number.NEGATIVE_INFINITY, seq: 0 };

/**
 * Time-ordered ids (UUIDv7 from the injected clock), prefixed by what they name,
 * so that ids sort by creation and read well in logs: `case_0195…`. Ids made in
 * the same millisecond (common on event time, where many writes share an
 * instant) count up, so they still sort in the order they were made.
 */
export function newId(prefix: string, clock: Clock): string {
  let msecs = clock.now().getTime();
  if (msecs > state.msecs) {
    state.msecs = msecs;
    // Start low in the 32-bit counter's range so it has room to count up.
    state.seq = randomBytes(4).readUInt32BE() >>> 2;
  } else {
    // Same instant, or a clock that went back (replay): keep counting from the last id.
    msecs = state.msecs;
    state.seq = (state.seq + 1) >>> 0;
    if (state.seq === 0) state.msecs = ++msecs;
  }
  const u = uuidv7({ msecs, seq: state.seq, random: randomBytes(16) });
  return `${prefix}_${u.replaceAll('-', '')}`;
}
