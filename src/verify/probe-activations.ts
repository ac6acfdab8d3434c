/**
 * Deterministic activation probes for the GEMV check: per seed, `tokens` gaussian-like rows and
 * one row with outliers (a few entries 32× larger, as in real LLM activations, so that most of the
 * int8 range goes unused and small products dominate). Only integer and single-rounding float
 * operations are used, so every platform produces the same values.
 */

/** mulberry32: a small 32-bit PRNG; any seed (0 included) is fine. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
