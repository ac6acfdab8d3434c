/**
 * Causal grouped-query attention for one new token over a KV cache (eager transformers math:
 * softmax(q·kᵀ / sqrt(d)) · v, query head h reading KV head floor(h / (heads / kvHeads))).
 */

/** Keys and values of every past position, per layer: [maxPositions, kvHeads · headDim]. */
export class KvCache {
  readonly keys: Float32Array[];
  readonly values: Float32Array[];

  constructor(
    layers: number,
    readonly width: number,
    readonly capacity: number,
  ) {
    this.keys = Array.from({ length: layers }, () => new Float32Array(capacity * width));
    this.values = Array.from({ length: layers }, () => new Float32Array(capacity * width));
  }
}

export interface AttentionShape {
  heads: number;
  kvHeads: number;
  headDim: number;
}

/**
 * `q` (heads · headDim) attends over cache positions 0..positions-1 of `layer` (the current token's
 * k/v already stored); writes heads · headDim values to `out`. `scores` needs `positions` floats.
 */
export function attend(
  q: Float32Array,
  cache: KvCache,
  layer: number,
  positions: number,
  shape: AttentionShape,
  scores: Float32Array,
  out: Float32Array,
): Float32Array {
  const { heads, kvHeads, headDim } = shape;
  const group = heads / kvHeads;
  const scale = 1 / Math.sqrt(headDim);
  const keys = cache.keys[layer]!;
  const values = cache.values[layer]!;
  const width = cache.width;
  out.fill(0);
  for (let h = 0; h < heads; h++) {
    const qBase = h * headDim;
    const kvOff = Math.floor(h / group) * headDim;
    let max = -Infinity;
    for (let p = 0; p < positions; p++) {
      const kBase = p * width + kvOff;
      let dot = 0;
      for (let i = 0; i < headDim; i++) dot += q[qBase + i]! * keys[kBase + i]!;
      const s = Math.fround(dot * scale);
      scores[p] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let p = 0; p < positions; p++) {
      const e = Math.exp(scores[p]! - max);
      scores[p] = e;
      sum += e;
    }
    for (let p = 0; p < positions; p++) {
      const w = scores[p]! / sum;
      const vBase = p * width + kvOff;
      for (let i = 0; i < headDim; i++) out[qBase + i] = out[qBase + i]! + w * values[vBase + i]!;
    }
  }
  return out;
}
