/**
 * HF rotate-half RoPE (transformers `apply_rotary_pos_emb`) on un-permuted q/k heads: within each
 * head of size d, element i < d/2 pairs with i + d/2. Frequencies are computed in float32 the way
 * transformers' default rope init does: inv_freq[i] = 1 / theta^(2i/d).
 */

export interface Rope {
  /** Rotates every head of `x` (heads × headDim, in place) to position `pos`. */
  apply(x: Float32Array, heads: number, pos: number): void;
}

export function createRope(headDim: number, theta: number, factor: number): Rope {
  const half = headDim / 2;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = 1 / Math.fround(Math.pow(theta, Math.fround((2 * i) / headDim)));
  const cos = new Float32Array(half);
  const sin = new Float32Array(half);
  let cached = -1;
  const angles = (pos: number) => {
    if (pos === cached) return;
    const p = Math.fround(pos / factor);
    for (let i = 0; i < half; i++) {
      const a = Math.fround(p * invFreq[i]!);
      cos[i] = Math.cos(a);
      sin[i] = Math.sin(a);
    }
    cached = pos;
  };
  return {
    apply(x, heads, pos) {
      angles(pos);
      for (let h = 0; h < heads; h++) {
        const base = h * headDim;
        for (let i = 0; i < half; i++) {
          const a = x[base + i]!;
          const b = x[base + half + i]!;
          x[base + i] = a * cos[i]! - b * sin[i]!;
          x[base + half + i] = b * cos[i]! + a * sin[i]!;
        }
      }
    },
  };
}
