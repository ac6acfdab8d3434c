/**
 * The absmean codes pass straight from 16-bit weights, without widening them: because
 * fround(w·s) is monotone in w and odd, `clamp(RHE(fround(w·s)), −1, 1)` is ±1 exactly when the
 * weight's magnitude pattern reaches a threshold pattern (found by bisection with that very
 * predicate), so each code is one integer compare. The statistics come from a histogram of the
 * 65,536 bit patterns, summed once per pattern in float64 (order-free, hence more exact than a
 * running sum, and the same for every thread count).
 */
import { bf16BitsToF32, f16BitsToF32 } from "../core/half.js";
import type { CodeTally } from "./absmean.js";

export type HalfKind = "f16" | "bf16";

const MAGNITUDE = 0x7fff;
/** The first non-finite magnitude pattern of each kind (+Inf). */
const INFINITE: Record<HalfKind, number> = { f16: 0x7c00, bf16: 0x7f80 };

/** The float32 value of a 16-bit pattern. */
const widen = (h: number, kind: HalfKind): number => (kind === "bf16" ? bf16BitsToF32(h) : f16BitsToF32(h));

/** The smallest magnitude pattern whose weight gets a non-zero code under multiplier `s` (INFINITE when none does). */
export function halfCodeThreshold(kind: HalfKind, s: number): number {
  let lo = 0; // fround(widen(lo)·s) ≤ 0.5 for every pattern below the answer
  let hi = INFINITE[kind];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Math.fround(widen(mid, kind) * s) > 0.5) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const histogram = new Uint32Array(1 << 16);

/** The code byte of pattern `h` (0x01 kept positive, 0xff kept negative, 0 dropped), counted in the histogram. */
function codeByte(h: number, threshold: number): number {
  histogram[h]!++;
  return +((h & MAGNITUDE) >= threshold) * (1 | ((h >>> 15) * 0xfe));
}

/**
 * Codes of elements [from, to) into `codes`, counting every pattern. Four at a time as one word
 * store (two 32-bit loads of halves) where both arrays allow aligned word views, else one by one.
 */
function codeRange(bytes: Uint8Array, codes: Int8Array, from: number, to: number, threshold: number): void {
  const aligned = bytes.byteOffset % 4 === 0 && codes.byteOffset % 4 === 0;
  const halves = bytes.byteOffset % 2 === 0 ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 1) : new Uint16Array(bytes.slice().buffer);
  let i = from;
  if (aligned) {
    for (; i < to && i % 4 !== 0; i++) codes[i] = codeByte(halves[i]!, threshold);
    const pairs = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
    const words = new Uint32Array(codes.buffer, codes.byteOffset, codes.length >>> 2);
    for (; i + 4 <= to; i += 4) {
      const a = pairs[i >>> 1]!;
      const b = pairs[(i >>> 1) + 1]!;
      words[i >>> 2] =
        codeByte(a & 0xffff, threshold) | (codeByte(a >>> 16, threshold) << 8) | (codeByte(b & 0xffff, threshold) << 16) | (codeByte(b >>> 16, threshold) << 24);
    }
  }
  for (; i < to; i++) codes[i] = codeByte(halves[i]!, threshold);
}

/**
 * codes[start … start + length) of the weights in `bytes` (little-endian 16-bit, element `start`
 * first) under multiplier `s`, added to `tally`. The weights must be finite (absmean's mean proves it).
 */
export function halfCodes(bytes: Uint8Array, kind: HalfKind, s: number, codes: Int8Array, start: number, length: number, tally: CodeTally): void {
  const threshold = halfCodeThreshold(kind, s);
  histogram.fill(0);
  codeRange(bytes, codes, start, start + length, threshold);
  for (let m = 0; m < INFINITE[kind]; m++) {
    const count = histogram[m]! + histogram[m | 0x8000]!;
    if (count === 0) continue;
    const w = widen(m, kind);
    tally.sumSquares += count * w * w;
    if (m >= threshold) {
      tally.plus += histogram[m]!;
      tally.minus += histogram[m | 0x8000]!;
      tally.keptMagnitude += count * w;
    }
  }
}
