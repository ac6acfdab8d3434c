/**
 * The converter's rule for one tensor's ternary codes and per-tensor σ, shared by `convert` and by
 * `verify --source` so the two can never disagree: weights that are already σ·t keep their codes
 * losslessly; anything else is ternarized per tensor with BitNet's absmean (torch's reduction).
 */
import { absmeanTernarize } from "./absmean.js";
import { detectTernary } from "./ternary-input.js";

/** How a tensor's codes were obtained. */
export type CodeSource = "absmean" | "detected" | "hf-packed";

export interface TensorTernary {
  /** Row-major codes in {−1, 0, +1}. */
  codes: Int8Array;
  /** The per-tensor dequantization multiplier σ (W ≈ σ·t). */
  sigma: number;
  from: CodeSource;
}

/** Codes and σ of float weights of logical `shape` (rows already in their output order). */
export function ternarizeTensor(values: Float32Array, shape: readonly number[], tensor?: string): TensorTernary {
  const found = detectTernary(values);
  if (found.ternary && !found.allZero) return { codes: found.codes, sigma: found.scale, from: "detected" };
  const r = absmeanTernarize(values, shape, { granularity: "tensor", tensor });
  return { codes: r.codes, sigma: r.scales[0]!, from: "absmean" };
}
