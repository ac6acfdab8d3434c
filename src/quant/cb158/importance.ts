/** The importance vector h (per-input-column mean of x², cb158.md §3) and the ε_h metric (§4). */
import { fail } from "../../core/errors.js";

/** Relative floor added to every h_j so unseen columns still count. */
export const IMPORTANCE_FLOOR = 1e-3;

/** h_j + 1e-3·mean(h) in float64 (all ones when h is absent); validates length and values. */
export function flooredImportance(cols: number, h?: Float32Array, tensor?: string): Float64Array {
  const out = new Float64Array(cols);
  if (!h) return out.fill(1);
  if (h.length !== cols) fail("SHAPE_MISMATCH", { tensor, detail: `importance vector has ${h.length} entries for ${cols} columns` });
  let mean = 0;
  for (let j = 0; j < cols; j++) {
    const x = h[j]!;
    if (!Number.isFinite(x) || x < 0) fail("NON_FINITE", { tensor, detail: `importance h[${j}] = ${x} (must be finite and ≥ 0)` });
    mean += x;
  }
  mean /= cols;
  const floor = IMPORTANCE_FLOOR * mean;
  for (let j = 0; j < cols; j++) out[j] = h[j]! + floor;
  if (!(mean > 0)) out.fill(1);
  return out;
}

/** ε_h = sqrt(Σ h_j (W − Ŵ)² / Σ h_j W²) over a row-major [rows, cols] tensor (h absent: all ones). */
export function importanceWeightedError(original: Float32Array, approx: Float32Array, cols: number, h?: Float32Array): number {
  if (approx.length !== original.length || original.length % cols !== 0) {
    fail("SHAPE_MISMATCH", { detail: `${original.length} and ${approx.length} values for rows of ${cols}` });
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < original.length; i++) {
    const w = h ? h[i % cols]! : 1;
    const x = original[i]!;
    const e = x - approx[i]!;
    num += w * e * e;
    den += w * x * x;
  }
  return den > 0 ? Math.sqrt(num / den) : num > 0 ? Infinity : 0;
}

/** Σ h_j (W − Ŵ)² over a row-major tensor with rows of `cols`, in float64. */
export function weightedSquaredError(original: Float32Array, approx: Float32Array, cols: number, h: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < original.length; i++) {
    const e = original[i]! - approx[i]!;
    sum += h[i % cols]! * e * e;
  }
  return sum;
}
