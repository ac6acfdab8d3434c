/**
 * Small deterministic pseudo-random generators, shared by the verifier's probe activations, the
 * benchmarks and the tests, so a seed means the same numbers everywhere.
 */

/** mulberry32: uniform floats in [0, 1); any seed (0 included) is fine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The Numerical Recipes 32-bit LCG: the next state, an unsigned 32-bit integer. */
export function lcg32(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

/** Gaussian-like values (sum of four LCG uniforms, centred) times `scale`. */
export function gaussianLike(n: number, seed: number, scale: number): Float32Array {
  const next = lcg32(seed);
  const u = () => next() / 4294967296;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (u() + u() + u() + u() - 2) * scale;
  return out;
}
