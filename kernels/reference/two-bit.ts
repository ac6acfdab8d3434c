/**
 * Runs of 32 bytes holding 128 two-bit codes c = t + 1, shared by I2_S (§1) and TQ2_0 (§4):
 * byte j of a run holds run elements j, j+32, j+64, j+96, at the bit shifts given by `shifts`
 * (I2_S: 6, 4, 2, 0, first element in the top bits; TQ2_0: 0, 2, 4, 6, first in the low bits).
 * Callers reject code 3 beforehand (valid-bytes.ts NO_CODE_3).
 */
import { nibbleCodes, type NibbleCodes } from "../lut.js";

export type SlotShifts = readonly [number, number, number, number];

export const RUN_BYTES = 32;
export const RUN_ELEMENTS = 128;

/**
 * Four codes at once: with c ≤ 2 in every byte, (c + 0x7f) ^ 0x80 is t = c − 1 as an int8 and no
 * byte carries into the next. `w` holds four consecutive run bytes, the first in the low byte.
 */
function codeWord(w: number, shift: number): number {
  return (((w >>> shift) & 0x03030303) + 0x7f7f7f7f) ^ 0x80808080;
}

/**
 * Writes the run at bytes[off …] as 128 ternary values to out, starting at word `outWord` of the
 * little-endian word view `out` of the codes (element j + 32·slot lands at byte 4·outWord + j + 32·slot).
 */
export function decodeRun(bytes: Uint8Array, off: number, shifts: SlotShifts, out: Uint32Array, outWord: number): void {
  const [s0, s1, s2, s3] = shifts;
  for (let w = 0; w < RUN_BYTES / 4; w++) {
    const o = off + 4 * w;
    const x = bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24);
    out[outWord + w] = codeWord(x, s0);
    out[outWord + 8 + w] = codeWord(x, s1);
    out[outWord + 16 + w] = codeWord(x, s2);
    out[outWord + 24 + w] = codeWord(x, s3);
  }
}

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
