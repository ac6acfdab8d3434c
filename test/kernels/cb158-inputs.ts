/**
 * Inputs for the CB158 kernel tests: seeded random matrices with a few hot columns (large values,
 * high importance: salient-column candidates) and isolated spikes (outlier candidates), quantized
 * and packed by ternpack's own CB158 quantizer and layout, which the kernel is checked against.
 */
import { packCb158 } from "../../formats/layouts/cb158.js";
import { quantizeCb158 } from "../../src/quant/cb158/index.js";

export interface Cb158Case {
  shape: [number, number];
  bpw: number;
  bytes: Uint8Array;
  /** The quantizer's bit accounting (bits spent on salient columns and on outliers). */
  bits: { salient: number; outliers: number };
  salientColumns: Uint32Array;
  outliers: Uint32Array;
}

/** A seeded LCG in [−0.5, 0.5). */
export function lcg(seed: number): () => number {
  return () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5;
}

/** Importance 1 everywhere except `hot` on the given columns. */
export function importanceFor(K: number, columns: readonly number[], hot: number): Float32Array {
  const importance = new Float32Array(K).fill(1);
  for (const c of columns) importance[c] = hot;
  return importance;
}

export type Codebook = "grid" | "learned";

/** Quantizes and packs `values` with CB158 at `bpw` on `codebook`, emphasising `hotColumns` ×1000. */
export function packValues(values: Float32Array, shape: [number, number], bpw: number, hotColumns: readonly number[], codebook: Codebook = "grid"): Cb158Case {
  const result = quantizeCb158(values, shape, { bpw, importance: importanceFor(shape[1], hotColumns, 1000), codebook });
  return {
    shape,
    bpw,
    bytes: packCb158(result.tensor),
    bits: { salient: result.stats.bits.salient, outliers: result.stats.bits.outliers },
    salientColumns: Uint32Array.from(result.tensor.salientColumns),
    outliers: Uint32Array.from(result.tensor.outlierIndex),
  };
}

/** Random N(ish)(0, 0.03) values, three hot columns ×3 and `spikes` isolated ±0.6 values, coded on `codebook`. */
export function randomCase(shape: [number, number], bpw: number, seed: number, spikes = 10, codebook: Codebook = "grid"): Cb158Case {
  const [M, K] = shape;
  const rnd = lcg(seed);
  const values = new Float32Array(M * K).map(() => rnd() * 0.1);
  const hot = [3 % K, Math.floor(K * 0.6), K - 38];
  for (let i = 0; i < M; i++) for (const c of hot) values[i * K + c]! *= 3;
  for (let s = 0; s < spikes; s++) values[Math.floor((rnd() + 0.5) * values.length)] = rnd() > 0 ? 0.6 : -0.6;
  return packValues(values, shape, bpw, hot, codebook);
}
