/**
 * Runs of 32 bytes holding 128 two-bit codes c = t + 1, shared by I2_S (§1) and TQ2_0 (§4):
 * byte j of a run holds run elements j, j+32, j+64, j+96, at the bit shifts given by `shifts`
 * (I2_S: 6, 4, 2, 0, first element in the top bits; TQ2_0: 0, 2, 4, 6, first in the low bits).
 * Callers reject code 3 beforehand (valid-bytes.ts NO_CODE_3).
 */
export type SlotShifts = readonly [number, number, number, number];

export const RUN_BYTES = 32;
export const RUN_ELEMENTS = 128;

/** Writes the run's 128 ternary values to out[outOff …]. */
export function decodeRun(bytes: Uint8Array, off: number, shifts: SlotShifts, out: Int8Array, outOff: number): void {
  for (let slot = 0; slot < 4; slot++) {
    const s = shifts[slot]!;
    const base = outOff + 32 * slot;
    for (let j = 0; j < RUN_BYTES; j++) out[base + j] = ((bytes[off + j]! >> s) & 3) - 1;
  }
}

/** Σ t·q over the run, with the run's first element paired with q[qOff]. */
export function dotRun(bytes: Uint8Array, off: number, shifts: SlotShifts, q: Int8Array, qOff: number): number {
  const [s0, s1, s2, s3] = shifts;
  let acc = 0;
  for (let j = 0; j < RUN_BYTES; j++) {
    const b = bytes[off + j]!;
    const i = qOff + j;
    acc +=
      (((b >> s0) & 3) - 1) * q[i]! +
      (((b >> s1) & 3) - 1) * q[i + 32]! +
      (((b >> s2) & 3) - 1) * q[i + 64]! +
      (((b >> s3) & 3) - 1) * q[i + 96]!;
  }
  return acc;
}
