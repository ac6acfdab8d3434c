/**
 * Recognises float weights that are already ternary × one scale (every value ∈ {−σ, 0, +σ}), as
 * QAT exports and fake-quantized checkpoints are, and recovers codes and σ losslessly. Works on
 * float32 values widened from bf16/f16 too: a fake-quant weight cast to a 16-bit dtype is exactly
 * ±σ16 there, and widening is exact, so σ is recovered as the 16-bit value.
 *
 * Re-running absmean on such input would keep the codes but change the scale (γ = (1 − zeros)·σ),
 * which is why detection comes first.
 */

export type TernaryDetection =
  | {
      ternary: true;
      /** Row-major codes in {−1, 0, +1}; ±0 inputs give 0. */
      codes: Int8Array;
      /** The common magnitude σ (value = σ · code); 0 when every value is zero. */
      scale: number;
      allZero: boolean;
    }
  | {
      ternary: false;
      /** Why not, with the first offending element (for reports). */
      reason: string;
      index: number;
    };

const MAGNITUDE = 0x7fffffff;
const INFINITY_BITS = 0x7f800000;

/**
 * O(n) on the bit patterns: one integer compare per element. The codes are filled in a second
 * pass, only once the scan has shown the input is ternary (most inputs fail within a few elements).
 */
export function detectTernary(values: Float32Array): TernaryDetection {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  let magnitude = 0; // bits of σ once the first non-zero value is seen
  let first = -1;
  for (let i = 0; i < bits.length; i++) {
    const m = bits[i]! & MAGNITUDE;
    if (m === 0 || m === magnitude) continue;
    if (m >= INFINITY_BITS) return { ternary: false, reason: `element ${i} is ${values[i]}`, index: i };
    if (first >= 0) {
      return {
        ternary: false,
        reason: `element ${i} has magnitude ${Math.abs(values[i]!)}, element ${first} has ${Math.abs(values[first]!)}`,
        index: i,
      };
    }
    magnitude = m;
    first = i;
  }
  const codes = new Int8Array(values.length);
  if (first >= 0) {
    // Branchless (zeros are random in real weights): (b >> 31) | 1 is the sign ±1, and
    // (m + 0x7fffffff) >>> 31 is 1 for m ≠ 0 and 0 for ±0.
    for (let i = first; i < bits.length; i++) {
      const b = bits[i]!;
      codes[i] = ((b >> 31) | 1) * (((b & MAGNITUDE) + MAGNITUDE) >>> 31);
    }
  }
  const scale = first < 0 ? 0 : Math.abs(values[first]!);
  return { ternary: true, codes, scale, allZero: first < 0 };
}
