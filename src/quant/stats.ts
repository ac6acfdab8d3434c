/** Per-tensor statistics of ternary codes for reports: code mix, scales, reconstruction error. */
import { fail } from "../core/errors.js";

export interface TernaryStatsOptions {
  /** Source weights (same order as the codes): enables relativeError (needs scales). */
  values?: Float32Array;
  /** σ per tensor (a number) or per group of `groupLength` consecutive codes. */
  scales?: Float32Array | number;
  /** Codes per scale; default codes.length / scales.length. */
  groupLength?: number;
  /** Tensor name, for error messages. */
  tensor?: string;
}

export interface TernaryStats {
  count: number;
  minus: number;
  zeros: number;
  plus: number;
  minusFraction: number;
  zeroFraction: number;
  plusFraction: number;
  /** (plus − minus) / (plus + minus) ∈ [−1, 1]: 0 when balanced, and when no code is non-zero. */
  balance: number;
  scales?: { count: number; min: number; max: number };
  /** ‖W − σ·t‖₂ / ‖W‖₂, accumulated in float64 (0 when both norms are 0, Infinity when only ‖W‖ is). */
  relativeError?: number;
}

function scaleArray(scales: Float32Array | number): Float32Array {
  return typeof scales === "number" ? Float32Array.of(scales) : scales;
}

/** O(n), one pass; allocates only the result. Throws INVALID_TERNARY, SHAPE_MISMATCH, USAGE. */
export function ternaryStats(codes: Int8Array, options: TernaryStatsOptions = {}): TernaryStats {
  const { values, tensor } = options;
  const n = codes.length;
  const sigma = options.scales === undefined ? undefined : scaleArray(options.scales);
  if (values && values.length !== n) fail("SHAPE_MISMATCH", { tensor, detail: `${values.length} values for ${n} codes` });
  if (values && !sigma) fail("USAGE", { tensor, detail: "relative error needs the scales as well as the source values" });
  const groupLength = options.groupLength ?? (sigma && sigma.length > 0 ? n / sigma.length : n);
  if (sigma && (!Number.isInteger(groupLength) || groupLength * sigma.length !== n)) {
    fail("SHAPE_MISMATCH", { tensor, detail: `${sigma.length} scales of ${groupLength} codes for ${n} codes` });
  }

  let minus = 0;
  let plus = 0;
  let errSq = 0;
  let normSq = 0;
  const groups = sigma ? sigma.length : 1;
  const len = sigma ? groupLength : n;
  for (let g = 0, start = 0; g < groups; g++, start += len) {
    const sg = sigma ? sigma[g]! : 0;
    for (let i = start; i < start + len; i++) {
      const t = codes[i]!;
      if (t === 1) plus++;
      else if (t === -1) minus++;
      else if (t !== 0) fail("INVALID_TERNARY", { tensor, detail: `code ${t} at element ${i}` });
      if (values) {
        const w = values[i]!;
        const d = w - t * sg;
        errSq += d * d;
        normSq += w * w;
      }
    }
  }
  const zeros = n - plus - minus;
  const frac = (k: number) => (n === 0 ? 0 : k / n);
  const stats: TernaryStats = {
    count: n,
    minus,
    zeros,
    plus,
    minusFraction: frac(minus),
    zeroFraction: frac(zeros),
    plusFraction: frac(plus),
    balance: plus + minus === 0 ? 0 : (plus - minus) / (plus + minus),
  };
  if (sigma) {
    let min = Infinity;
    let max = -Infinity;
    for (let g = 0; g < sigma.length; g++) {
      const s = sigma[g]!;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    stats.scales = { count: sigma.length, min, max };
  }
  if (values) stats.relativeError = normSq > 0 ? Math.sqrt(errSq) / Math.sqrt(normSq) : errSq > 0 ? Infinity : 0;
  return stats;
}
