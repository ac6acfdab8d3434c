/**
 * Deterministic activation probes for the GEMV check: per seed, `tokens` gaussian-like rows and
 * one row with outliers (a few entries 32× larger, as in real LLM activations, so that most of the
 * int8 range goes unused and small products dominate). Only integer and single-rounding float
 * operations are used, so every platform produces the same values.
 */
import { mulberry32 as generator } from "../core/prng.js";

const OUTLIER_GAIN = 32;
/** One entry in this many of the outlier row is an outlier (at least one always is). */
const OUTLIER_EVERY = 64;

/**
 * Fills `out` ((tokens + 1) × K, row-major) for `seed`: rows 0…tokens−1 gaussian-like
 * (Irwin–Hall sum of four uniforms, mean 0, variance 1/3), row `tokens` the same with outliers.
 */
export function probeActivations(seed: number, tokens: number, K: number, out = new Float32Array((tokens + 1) * K)): Float32Array {
  const next = generator(seed);
  const n = (tokens + 1) * K;
  for (let i = 0; i < n; i++) out[i] = next() + next() + next() + next() - 2;
  const row = tokens * K;
  out[row + Math.floor(next() * K)]! *= OUTLIER_GAIN;
  for (let k = 0; k < K; k++) if (next() * OUTLIER_EVERY < 1) out[row + k]! *= OUTLIER_GAIN;
  return out;
}
