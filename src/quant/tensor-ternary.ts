/**
 * The converter's rule for one tensor's ternary codes and per-tensor σ, shared by `convert` and by
 * `verify --source` so the two can never disagree: weights that are already σ·t keep their codes
 * losslessly; anything else is ternarized per tensor with BitNet's absmean (torch's reduction).
 */
import { absmeanTernarize, type CodeTally } from "./absmean.js";
import { asRun, type FloatRun } from "./float-run.js";
import { statsFromTally, ternaryStats, type TernaryStats } from "./stats.js";
import { detectTernary } from "./ternary-input.js";

/** How a tensor's codes were obtained. */
export type CodeSource = "absmean" | "detected" | "hf-packed";

export interface TensorTernary {
  /** Row-major codes in {−1, 0, +1}. */
  codes: Int8Array;
  /** The per-tensor dequantization multiplier σ (W ≈ σ·t). */
  sigma: number;
  from: CodeSource;
  /** Code mix and ‖W − σ·t‖ / ‖W‖ of this ternarization. */
  stats: TernaryStats;
}

export interface TernarizeOptions {
  tensor?: string;
  /** Where absmean writes the codes (a caller's reusable buffer); a new array when absent. */
  codesInto?: Int8Array;
}

/** Elements looked at before deciding that weights cannot be σ·t (real weights fail within a few). */
const DETECTION_PREFIX = 4096;

/**
 * Codes and σ of float weights of logical `shape` (rows already in their output order). `values`
 * may be a run (float-run.ts): 16-bit weights are then widened a window at a time, unless their
 * first elements look ternary, when the whole tensor is widened once for the lossless detection.
 */
export function ternarizeTensor(values: Float32Array | FloatRun, shape: readonly number[], options: TernarizeOptions = {}): TensorTernary {
  const run = asRun(values);
  let source = values;
  if (detectTernary(run.window(0, Math.min(run.length, DETECTION_PREFIX))).ternary) {
    // For a half run this widens the whole tensor once; absmean below then reads that copy.
    const all = run.window(0, run.length);
    const found = detectTernary(all);
    if (found.ternary && !found.allZero) {
      return { codes: found.codes, sigma: found.scale, from: "detected", stats: ternaryStats(found.codes, { scales: found.scale, values: all, tensor: options.tensor }) };
    }
    source = all;
  }
  const tally: CodeTally = { plus: 0, minus: 0, sumSquares: 0, keptMagnitude: 0 };
  const r = absmeanTernarize(source, shape, { granularity: "tensor", ...options }, tally);
  const sigma = r.scales[0]!;
  return { codes: r.codes, sigma, from: "absmean", stats: statsFromTally(r.codes.length, tally, sigma) };
}
