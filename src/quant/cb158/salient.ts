/**
 * Salient input columns (cb158.md §7.1): the columns with the largest h_j·‖W_:,j‖² leave the codebook
 * path and are stored as 4-bit symmetric values (−7…7) with one f16 scale per 32 rows.
 */
import { f16BitsToF32, f32ToF16Bits } from "../../core/half.js";
import { roundHalfEven } from "../../core/rounding.js";
import { SALIENT_CHUNK } from "../../../formats/layouts/cb158-format.js";

export interface SalientColumns {
  columns: Uint32Array;
  scales: Uint16Array;
  codes: Int8Array;
}

/** The `count` most salient columns, ascending (ties: lower column first). */
export function selectSalientColumns(w: Float32Array, rows: number, cols: number, h: Float64Array, count: number): Uint32Array {
  const score = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0, at = i * cols; j < cols; j++, at++) score[j] = score[j]! + w[at]! * w[at]!;
  }
  for (let j = 0; j < cols; j++) score[j] = score[j]! * h[j]!;
  const order = Array.from({ length: cols }, (_, j) => j).sort((a, b) => score[b]! - score[a]! || a - b);
  return Uint32Array.from(order.slice(0, count)).sort();
}

export function quantizeSalient(w: Float32Array, rows: number, cols: number, columns: Uint32Array): SalientColumns {
  const chunks = Math.ceil(rows / SALIENT_CHUNK);
  const scales = new Uint16Array(columns.length * chunks);
  const codes = new Int8Array(columns.length * rows);
  columns.forEach((col, s) => {
    for (let c = 0; c < chunks; c++) {
      const end = Math.min(rows, (c + 1) * SALIENT_CHUNK);
      let amax = 0;
      for (let i = c * SALIENT_CHUNK; i < end; i++) amax = Math.max(amax, Math.abs(w[i * cols + col]!));
      const bits = f32ToF16Bits(Math.min(amax / 7, 65504));
      scales[s * chunks + c] = bits;
      const scale = f16BitsToF32(bits);
      for (let i = c * SALIENT_CHUNK; i < end; i++) {
        const q = scale > 0 ? roundHalfEven(w[i * cols + col]! / scale) : 0;
        codes[s * rows + i] = Math.max(-7, Math.min(7, q));
      }
    }
  });
  return { columns, scales, codes };
}
