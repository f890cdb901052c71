import { randomFillSync } from 'node:crypto';

/** Random bytes taken 8 at a time, refilled when spent: one call into the system's generator per 512 ids. */
const POOL = Buffer.alloc(8 * 512);
let taken = POOL.length;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** The last millisecond an id was made in, and how many were made in it (12 bits). */
let lastMs = -1;
let sequence = 0;

/**
 * A new run id: a UUID of version 7 (RFC 9562). Its first 48 bits are the Unix time in
 * milliseconds and the next 12 count the ids made in that millisecond (method 1 of the RFC), the
 * other 62 are random. The ids one process makes therefore sort in the order it made them, so
 * the indexes keyed by run (each run's transitions, its head, its audit entries) take new keys at
 * their right edge instead of on random pages all over them: PostgreSQL then mostly inserts on the
 * leaf it inserted on last, and the pages a long history spreads over stay out of the way. They
 * are as unguessable as they need to be (62 random bits; a run id grants nothing by itself), and
 * tell when the run started, as its first transition does.
 */
export function newRunId(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    // 4,096 in one millisecond (or a clock that went back): borrow the next millisecond.
    lastMs += 1;
    sequence = 0;
  }
  if (taken === POOL.length) {
    randomFillSync(POOL);
    taken = 0;
  }
  const at = taken;
  taken += 8;
  const ms = lastMs;
  const high = Math.floor(ms / 0x1_0000_0000);
  return (
    HEX[(high >>> 8) & 0xff]! +
    HEX[high & 0xff]! +
    HEX[(ms >>> 24) & 0xff]! +
    HEX[(ms >>> 16) & 0xff]! +
    '-' +
    HEX[(ms >>> 8) & 0xff]! +
    HEX[ms & 0xff]! +
    '-' +
    HEX[0x70 | (sequence >>> 8)]! +
    HEX[sequence & 0xff]! +
    '-' +
    HEX[0x80 | (POOL[at]! & 0x3f)]! +
    HEX[POOL[at + 1]!]! +
    '-' +
    HEX[POOL[at + 2]!]! +
    HEX[POOL[at + 3]!]! +
    HEX[POOL[at + 4]!]! +
    HEX[POOL[at + 5]!]! +
    HEX[POOL[at + 6]!]! +
    HEX[POOL[at + 7]!]!
  );
}
