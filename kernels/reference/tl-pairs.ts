/**
 * The TL pair index (ternary-layouts.md §2.1, also TL2's two-weight area §3.4):
 * idx = 3·t0 + t1 + 4 ∈ 0…8 for the weights at k, k+1; 9…15 are never written.
 * Decoding: t0 = idx div 3 − 1, t1 = idx mod 3 − 1.
 */
export const PAIR_MAX = 8;

/** Writes the two ternary values of pair index `idx` to out[at], out[at + 1]. */
export function writePair(idx: number, out: Int8Array, at: number): void {
  out[at] = ((idx / 3) | 0) - 1;
  out[at + 1] = (idx % 3) - 1;
}

/**
 * The runtime's lookup table, 16 entries per pair: lut[p·16 + idx] = t0·q[k] + t1·q[k+1] with
 * k = kStart + 2p, for p < pairs (entries 9…15 stay 0; such nibbles are rejected beforehand).
 */
export function pairLut(q: Int8Array, kStart: number, pairs: number): Int32Array {
  const lut = new Int32Array(pairs * 16);
  for (let p = 0; p < pairs; p++) {
    const a0 = q[kStart + 2 * p]!;
    const a1 = q[kStart + 2 * p + 1]!;
    for (let idx = 0; idx <= PAIR_MAX; idx++) lut[p * 16 + idx] = (((idx / 3) | 0) - 1) * a0 + ((idx % 3) - 1) * a1;
  }
  return lut;
}
