/**
 * The absmean codes pass straight from 16-bit weights, without widening them: because
 * fround(w·s) is monotone in w and odd, `clamp(RHE(fround(w·s)), −1, 1)` is ±1 exactly when the
 * weight's magnitude pattern reaches a threshold pattern (found by bisection with that very
 * predicate), so each code is one integer compare (eight at a time in WebAssembly SIMD,
 * src/simd/half-codes.ts, which also sums the statistics in float64).
 */
import { bf16BitsToF32, f16BitsToF32, HALF_INFINITY } from "../core/half.js";
import { simdHalfCodes } from "../simd/half-codes.js";
import type { CodeTally } from "./absmean.js";

export type HalfKind = "f16" | "bf16";


/** The float32 value of a 16-bit pattern. */
const widen = (h: number, kind: HalfKind): number => (kind === "bf16" ? bf16BitsToF32(h) : f16BitsToF32(h));

/** The smallest magnitude pattern whose weight gets a non-zero code under multiplier `s` (HALF_INFINITY when none does). */
export function halfCodeThreshold(kind: HalfKind, s: number): number {
  let lo = 0; // fround(widen(lo)·s) ≤ 0.5 for every pattern below the answer
  let hi: number = HALF_INFINITY[kind];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Math.fround(widen(mid, kind) * s) > 0.5) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * codes[start … start + length) of the weights in `bytes` (little-endian 16-bit, element `start`
 * first) under multiplier `s`, added to `tally`. The weights must be finite (absmean's mean proves it).
 */
export function halfCodes(bytes: Uint8Array, kind: HalfKind, s: number, codes: Int8Array, start: number, length: number, tally: CodeTally): void {
  simdHalfCodes(bytes, kind, halfCodeThreshold(kind, s), codes, start, length, tally);
}
