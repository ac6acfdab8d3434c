/** Per-tensor statistics of ternary codes for reports: code mix, scales, reconstruction error. */
import { fail } from "../core/errors.js";
import type { CodeTally } from "./absmean.js";

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

/**
 * Counts ±1 codes without branches (random codes make `if (t === 1)` mispredict half the time):
 * sum = plus − minus, odd = plus + minus, and `(t + 1) | (1 − t)` is negative iff t ∉ {−1, 0, 1}.
 */
function countCodes(codes: Int8Array, tensor: string | undefined): { plus: number; minus: number } {
  let sum = 0;
  let odd = 0;
  let bad = 0;
  for (let i = 0; i < codes.length; i++) {
    const t = codes[i]!;
    sum += t;
    odd += t & 1;
    bad |= (t + 1) | (1 - t);
  }
  if (bad < 0) {
    const i = codes.findIndex((t) => t < -1 || t > 1);
    fail("INVALID_TERNARY", { tensor, detail: `code ${codes[i]} at element ${i}` });
  }
  return { plus: (odd + sum) / 2, minus: (odd - sum) / 2 };
}

/**
 * [‖W − σ·t‖², ‖W‖²] in float64. Four partial sums of each break the add-latency chain (the sums
 * are reassociated: the result moves in its last digits, far below a report's precision).
 */
function squaredError(values: Float32Array, codes: Int8Array, sigma: Float32Array, len: number): [number, number] {
  let e0 = 0, e1 = 0, e2 = 0, e3 = 0;
  let n0 = 0, n1 = 0, n2 = 0, n3 = 0;
  for (let g = 0, start = 0; g < sigma.length; g++, start += len) {
    const s = sigma[g]!;
    const end = start + len;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      const w0 = values[i]!, w1 = values[i + 1]!, w2 = values[i + 2]!, w3 = values[i + 3]!;
      const d0 = w0 - codes[i]! * s, d1 = w1 - codes[i + 1]! * s;
      const d2 = w2 - codes[i + 2]! * s, d3 = w3 - codes[i + 3]! * s;
      e0 += d0 * d0; e1 += d1 * d1; e2 += d2 * d2; e3 += d3 * d3;
      n0 += w0 * w0; n1 += w1 * w1; n2 += w2 * w2; n3 += w3 * w3;
    }
    for (; i < end; i++) {
      const w = values[i]!;
      const d = w - codes[i]! * s;
      e0 += d * d;
      n0 += w * w;
    }
  }
  return [e0 + e1 + (e2 + e3), n0 + n1 + (n2 + n3)];
}

/** O(n), two passes (codes, then the error); allocates only the result. Throws INVALID_TERNARY, SHAPE_MISMATCH, USAGE. */
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

  const { plus, minus } = countCodes(codes, tensor);
  const error = values && sigma ? squaredError(values, codes, sigma, groupLength) : undefined;
  return assembleStats(n, plus, minus, sigma, error);
}

/**
 * The statistics of one per-tensor ternarization from its codes pass's tally (absmean.ts
 * CodeTally), without another pass over the weights or the codes: ‖W − σ·t‖² = Σw² − 2σ·Σ|w|[t≠0]
 * + σ²·nnz (clamped at 0: the expansion can round a tiny negative).
 */
export function statsFromTally(n: number, tally: CodeTally, sigma: number): TernaryStats {
  const nnz = tally.plus + tally.minus;
  const errSq = Math.max(0, tally.sumSquares - 2 * sigma * tally.keptMagnitude + sigma * sigma * nnz);
  return assembleStats(n, tally.plus, tally.minus, Float32Array.of(sigma), [errSq, tally.sumSquares]);
}

function assembleStats(n: number, plus: number, minus: number, sigma: Float32Array | undefined, error: [number, number] | undefined): TernaryStats {
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
  if (error) {
    const [errSq, normSq] = error;
    stats.relativeError = normSq > 0 ? Math.sqrt(errSq) / Math.sqrt(normSq) : errSq > 0 ? Infinity : 0;
  }
  return stats;
}
