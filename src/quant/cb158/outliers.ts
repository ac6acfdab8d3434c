/**
 * Sparse outliers (cb158.md §7.2): after the base and salient coding, the weights with the largest
 * gain h_j·(W − Ŵ)² keep their f16 residual (dequant = base + residual), as many as the budget buys.
 */
import { f32ToF16Bits } from "../../core/half.js";

export interface Outliers {
  index: Uint32Array;
  values: Uint16Array;
}

/** The k-th smallest value (0-based) of `a`, which it reorders (Hoare quickselect, median of three). */
function kthSmallest(a: Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!, y = a[mid]!, z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** The `limit` largest-gain positions (ties: lower index first) outside salient columns, ascending. */
export function selectOutliers(w: Float32Array, approx: Float32Array, cols: number, h: Float64Array, isSalient: Uint8Array, limit: number): Outliers {
  // Gain h_j·e² (the f16 rounding of the stored residual, ≤ 2^−11 relative, is ignored for ranking);
  // zero on salient columns, which are not on the base path.
  const gains = new Float32Array(w.length);
  for (let at = 0; at < w.length; ) {
    for (let col = 0; col < cols; col++, at++) {
      const e = w[at]! - approx[at]!;
      gains[at] = isSalient[col] ? 0 : h[col]! * e * e;
    }
  }
  let count = Math.min(limit, w.length);
  let threshold = count > 0 ? kthSmallest(gains.slice(), w.length - count) : Infinity;
  if (!(threshold > 0)) threshold = 0; // never buy a zero or negative gain
  let above = 0;
  for (let i = 0; i < w.length; i++) if (gains[i]! > threshold) above++;
  if (threshold === 0) count = above;
  const index = new Uint32Array(count);
  const values = new Uint16Array(count);
  let ties = count - above;
  for (let i = 0, o = 0; i < w.length && o < count; i++) {
    const g = gains[i]!;
    if (g > threshold || (g === threshold && ties-- > 0)) {
      index[o] = i;
      values[o++] = f32ToF16Bits(w[i]! - approx[i]!);
    }
  }
  return { index, values };
}
