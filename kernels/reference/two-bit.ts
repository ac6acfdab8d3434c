/**
 * Runs of 32 bytes holding 128 two-bit codes c = t + 1, shared by I2_S (§1) and TQ2_0 (§4):
 * byte j of a run holds run elements j, j+32, j+64, j+96, at the bit shifts given by `shifts`
 * (I2_S: 6, 4, 2, 0, first element in the top bits; TQ2_0: 0, 2, 4, 6, first in the low bits).
 * Decoding runs: two-bit-decode.ts. Callers reject code 3 beforehand (valid-bytes.ts NO_CODE_3).
 */
import { nibbleCodes, type NibbleCodes } from "../lut.js";

export type SlotShifts = readonly [number, number, number, number];

export const RUN_BYTES = 32;
export const RUN_ELEMENTS = 128;

/** A nibble holds two 2-bit fields: the upper one is the first code, the lower one the second. */
export const TWO_BIT_NIBBLE: NibbleCodes = nibbleCodes((x) => ((x & 3) === 3 || x >> 2 === 3 ? undefined : [(x >> 2) - 1, (x & 3) - 1]));

/**
 * Nibble-table columns (lut.ts) for `runs` runs laid out back to back from column 0: byte j of run
 * r has its high nibble at position 2·(32r + j) and its low nibble at the next one.
 */
export function runColumns(shifts: SlotShifts, runs: number): Int32Array {
  const cols = new Int32Array(runs * RUN_BYTES * 4);
  for (let r = 0; r < runs; r++) {
    for (let j = 0; j < RUN_BYTES; j++) {
      for (let slot = 0; slot < 4; slot++) {
        const s = shifts[slot]!;
        const pos = 2 * (r * RUN_BYTES + j) + (s >= 4 ? 0 : 1);
        cols[2 * pos + (s & 2 ? 0 : 1)] = r * RUN_ELEMENTS + j + 32 * slot;
      }
    }
  }
  return cols;
}
