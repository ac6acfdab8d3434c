/**
 * int8 per-token absmax activation quantization (bitnet-semantics.md §4), all in f32 steps:
 *   amax = max(fround(1e-5), max|x|)   s_x = fround(127 / amax)
 *   q    = clamp(RHE(fround(x · s_x)), −128, 127)
 * The TL variant ("tl") is bitnet.cpp's LUT-kernel scale 127 / max|x| without the floor: an all-zero
 * token gets s_x = +Infinity and q = 0 (the TL kernel then yields 0 / ∞ = 0).
 */
import { fail } from "../src/core/errors.js";
import { clamp, roundHalfEven } from "../src/core/rounding.js";

export type ActivationScale = "bitnet" | "tl";

export interface QuantizedActivations {
  /** [tokens, K] row-major int8. */
  q: Int8Array;
  /** One s_x per token (q ≈ x · s_x). */
  sx: Float32Array;
}

const FLOOR = Math.fround(1e-5);

/** Quantizes each of `tokens` rows of length K of `x` (row-major). */
export function quantizeActivations(x: Float32Array, tokens: number, K: number, scale: ActivationScale = "bitnet"): QuantizedActivations {
  if (!Number.isSafeInteger(tokens) || !Number.isSafeInteger(K) || tokens < 0 || K <= 0 || x.length !== tokens * K) {
    fail("SHAPE_MISMATCH", { detail: `activations: ${x.length} values for ${tokens} tokens × ${K}` });
  }
  const q = new Int8Array(tokens * K);
  const sx = new Float32Array(tokens);
  for (let t = 0; t < tokens; t++) {
    const start = t * K;
    let amax = 0;
    for (let i = start; i < start + K; i++) {
      const a = Math.abs(x[i]!);
      if (!(a < Infinity)) fail("NON_FINITE", { detail: `activations: token ${t}, element ${i - start} is ${x[i]}` });
      if (a > amax) amax = a;
    }
    const s = scale === "tl" ? Math.fround(127 / amax) : Math.fround(127 / Math.max(FLOOR, amax));
    sx[t] = s;
    if (amax === 0) continue; // q stays 0 (and 0 · ∞ must not become NaN)
    for (let i = start; i < start + K; i++) q[i] = clamp(roundHalfEven(Math.fround(x[i]! * s)), -128, 127);
  }
  return { q, sx };
}
