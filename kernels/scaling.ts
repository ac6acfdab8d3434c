/**
 * Where integers meet scales: dequantization of ternary codes and the float epilogue of the GEMV.
 *
 * Epilogue (bitnet-semantics.md §5, extended to per-block scales), every step one f32 rounding:
 *   term_rb = fround( fround( fround(acc_rb) / s_x ) · scale_rb )
 *   y_r     = term_r0;  then y_r = fround(y_r + term_rb) for b = 1, 2, … in ascending K order.
 * fround(acc) is the C `(float)acc` conversion (exact while |acc| ≤ 2²⁴). With one group per row
 * (I2_S, TL1, TL2) this is exactly y_r = fround(fround(acc_r / s_x) · σ); for TQ1_0/TQ2_0 it is the
 * sum of the per-256-block products, added left to right in f32.
 */
import { fail } from "../src/core/errors.js";

/** Scales are either one per tensor (length 1) or one per group (length groups). */
function checkScaleCount(scales: Float32Array, groups: number, what: string): void {
  if (scales.length !== 1 && scales.length !== groups) {
    fail("SHAPE_MISMATCH", { detail: `${what}: ${scales.length} scales for ${groups} groups (expected 1 or ${groups})` });
  }
}

/** value = t · scale of its group; `groupSize` consecutive elements of a row share a scale. */
export function dequantizeCodes(codes: Int8Array, scales: Float32Array, groupSize: number): Float32Array {
  const groups = codes.length / groupSize;
  checkScaleCount(scales, groups, "dequantize");
  const out = new Float32Array(codes.length);
  const perTensor = scales.length === 1;
  for (let g = 0; g < groups; g++) {
    const s = scales[perTensor ? 0 : g]!;
    const end = (g + 1) * groupSize;
    for (let i = g * groupSize; i < end; i++) out[i] = codes[i]! * s;
  }
  return out;
}

/** y per row from the exact accumulators `acc` (rows × groupsPerRow, row-major). */
export function gemvEpilogue(acc: Int32Array, rows: number, groupsPerRow: number, sx: number, scales: Float32Array): Float32Array {
  checkScaleCount(scales, rows * groupsPerRow, "gemv");
  const perTensor = scales.length === 1;
  const y = new Float32Array(rows);
  const f = Math.fround;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let b = 0; b < groupsPerRow; b++) {
      const i = r * groupsPerRow + b;
      const term = f(f(f(acc[i]!) / sx) * scales[perTensor ? 0 : i]!);
      sum = b === 0 ? term : f(sum + term);
    }
    y[r] = sum;
  }
  return y;
}
