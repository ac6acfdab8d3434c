/**
 * The TL pair index (ternary-layouts.md §2.1, also TL2's two-weight area §3.4):
 * idx = 3·t0 + t1 + 4 ∈ 0…8 for the weights at k, k+1; 9…15 are never written (callers reject
 * them beforehand). Decoding: t0 = idx div 3 − 1, t1 = idx mod 3 − 1.
 */
import { nibbleCodes, type NibbleCodes } from "../lut.js";

export const PAIR_MAX = 8;

const pair = (idx: number) => [((idx / 3) | 0) - 1, (idx % 3) - 1] as const;

/** The nibble-table codes (lut.ts) of a pair index: t0 first, t1 second. */
export const PAIR_NIBBLE: NibbleCodes = nibbleCodes((idx) => (idx <= PAIR_MAX ? pair(idx) : undefined));

/**
 * PAIR_WORD[b]: the four weights k … k+3 of a byte with pair indices in both nibbles (high nibble
 * first), as the little-endian word of four int8 values.
 */
export const PAIR_WORD = new Uint32Array(256);
for (let b = 0; b < 256; b++) {
  if (b >> 4 > PAIR_MAX || (b & 15) > PAIR_MAX) continue;
  const [t0, t1] = pair(b >> 4);
  const [t2, t3] = pair(b & 15);
  PAIR_WORD[b] = ((t0 & 0xff) | ((t1 & 0xff) << 8) | ((t2 & 0xff) << 16) | ((t3 & 0xff) << 24)) >>> 0;
}
