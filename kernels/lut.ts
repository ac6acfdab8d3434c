/**
 * Lookup tables over lane activations (lanes.ts), as the LUT runtimes build them from q: a packed
 * field is turned into its partial dot product by one table read per lane instead of one
 * multiply-add per weight.
 *
 * Nibble tables: a 4-bit field holding two codes (two 2-bit codes, or a TL pair index) at table
 * position p gives lut[p·32 + x·2 + h] = first[x]·v_h[colFirst(p)] + second[x]·v_h[colSecond(p)].
 * `nibbleBlocks` (nibble-blocks.ts) sums runs of bytes whose byte i has its high nibble at position
 * pos + 2i and its low nibble at pos + 2i + 1.
 */

/** Float64 entries per nibble position: 16 field values × 2 lanes. */
export const NIBBLE_STRIDE = 32;

/** The two codes a 4-bit field value stands for (0 for values that are rejected beforehand). */
export interface NibbleCodes {
  first: Int8Array;
  second: Int8Array;
}

/** 16-entry code tables from a decoder of field values (`undefined` for rejected values). */
export function nibbleCodes(decode: (x: number) => readonly [number, number] | undefined): NibbleCodes {
  const first = new Int8Array(16);
  const second = new Int8Array(16);
  for (let x = 0; x < 16; x++) {
    const t = decode(x);
    if (t) [first[x], second[x]] = t;
  }
  return { first, second };
}

/** Column of each position's first and second code: cols[2p], cols[2p + 1]. */
export function nibbleLut(lanes: Float64Array, cols: Int32Array, codes: NibbleCodes): Float64Array {
  const positions = cols.length / 2;
  const lut = new Float64Array(positions * NIBBLE_STRIDE);
  const { first, second } = codes;
  for (let p = 0; p < positions; p++) {
    const a = 2 * cols[2 * p]!;
    const b = 2 * cols[2 * p + 1]!;
    for (let h = 0; h < 2; h++) {
      const va = lanes[a + h]!;
      const vb = lanes[b + h]!;
      for (let x = 0; x < 16; x++) lut[p * NIBBLE_STRIDE + 2 * x + h] = first[x]! * va + second[x]! * vb;
    }
  }
  return lut;
}

/** Positions of TL pair indices over `pairs` column pairs starting at column kStart: (k, k + 1). */
export function pairColumns(kStart: number, pairs: number): Int32Array {
  const cols = new Int32Array(2 * pairs);
  for (let p = 0; p < pairs; p++) {
    cols[2 * p] = kStart + 2 * p;
    cols[2 * p + 1] = kStart + 2 * p + 1;
  }
  return cols;
}
