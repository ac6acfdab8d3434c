/**
 * Quality and size facts of one CB158 tensor (computed on the original W and the reconstruction Ŵ)
 * and their model-level totals. Sums run in float64.
 */
import type { Cb158Result, Cb158Stats } from "../quant/cb158/index.js";
import { importanceWeightedError } from "../quant/cb158/index.js";

export interface Cb158TensorReport {
  /** Target bits per weight. */
  targetBpw: number;
  /** 8 · packed bytes / weights: every stored bit (header, scales, indices, salient, outliers, padding). */
  effectiveBpw: number;
  packedBytes: number;
  /** Stored bits by section (their sum is 8 · packedBytes). */
  bits: Cb158Stats["bits"];
  /** ‖W − Ŵ‖ / ‖W‖. */
  relativeError: number;
  /** ε_h = sqrt(Σ h_j (W − Ŵ)² / Σ h_j W²) with the tensor's importance vector (ones when flat). */
  importanceWeightedError: number;
  /** cos(W, Ŵ) over the whole tensor. */
  cosine: number;
  /** The lowest per-row cosine and its row (GGUF row order). */
  worstRowCosine: number;
  worstRow: number;
  /** Sparse f16 outlier residuals stored. */
  outliers: number;
  /** Input columns stored as 4-bit salient columns. */
  salientColumns: number;
  /** Super-blocks at each tier 0…3, and each tier's index width in bits. */
  tierHistogram: number[];
  tierWidths: number[];
  clippedBlocks: number;
  /** The codebook the quantizer chose by rate–distortion: the built-in ternary grid, or a table learned for this tensor (its entries; stored and counted in `bits.codebook`). */
  codebook: "grid" | "learned";
  codebookEntries: number;
  /** Shannon entropy (bits) of the codebook indices over all 8-weight groups, and distinct indices used. */
  codebookEntropy: number;
  codebookUsed: number;
  /** Where h came from. */
  importance: "imatrix" | "calib" | "flat";
  /** What decoded the packed bytes for the bit-exact check: the cb158 reference kernel, or the layout's decoder. */
  decodedWith: "kernel";
}

export interface Cb158Totals {
  targetBpw: number;
  tensors: number;
  weights: number;
  packedBytes: number;
  /** 8 · Σ packed bytes / Σ weights over the CB158 tensors. */
  effectiveBpw: number;
  /** Weight-count-weighted means over the CB158 tensors. */
  meanRelativeError: number;
  meanImportanceWeightedError: number;
  /** The worst tensor by ε_h. */
  worstTensor: string | undefined;
  worstImportanceWeightedError: number;
  outliers: number;
  salientColumns: number;
  /** Tensors kept at keepType (embeddings, output head, dense modules), reported apart from the CB158 ones. */
  kept: { tensors: number; parameters: number; bytes: number; names: string[] };
}

function cosines(w: Float32Array, r: Float32Array, cols: number): { cosine: number; worst: number; worstRow: number } {
  let dot = 0;
  let ww = 0;
  let rr = 0;
  let worst = Infinity;
  let worstRow = 0;
  for (let row = 0; row * cols < w.length; row++) {
    let d = 0;
    let a = 0;
    let b = 0;
    for (let i = row * cols, end = i + cols; i < end; i++) {
      const x = w[i]!;
      const y = r[i]!;
      d += x * y;
      a += x * x;
      b += y * y;
    }
    const c = a > 0 && b > 0 ? d / Math.sqrt(a * b) : a === b ? 1 : 0;
    if (c < worst) {
      worst = c;
      worstRow = row;
    }
    dot += d;
    ww += a;
    rr += b;
  }
  return { cosine: ww > 0 && rr > 0 ? dot / Math.sqrt(ww * rr) : ww === rr ? 1 : 0, worst, worstRow };
}

function codebookUsage(indices: Uint16Array): { entropy: number; used: number } {
  const counts = new Uint32Array(65536);
  for (let i = 0; i < indices.length; i++) counts[indices[i]!]!++;
  let entropy = 0;
  let used = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c === 0) continue;
    used++;
    const p = c / indices.length;
    entropy -= p * Math.log2(p);
  }
  return { entropy, used };
}

export interface Cb158ReportInputs {
  original: Float32Array;
  result: Cb158Result;
  packedBytes: number;
  targetBpw: number;
  importance: Float32Array | undefined;
  importanceKind: Cb158TensorReport["importance"];
  decodedWith: Cb158TensorReport["decodedWith"];
}

export function cb158TensorReport(x: Cb158ReportInputs): Cb158TensorReport {
  const { original, result } = x;
  const [rows, cols] = result.tensor.shape;
  const c = cosines(original, result.reconstruction, cols);
  const usage = codebookUsage(result.tensor.indices);
  return {
    targetBpw: x.targetBpw,
    effectiveBpw: (8 * x.packedBytes) / (rows * cols),
    packedBytes: x.packedBytes,
    bits: result.stats.bits,
    relativeError: importanceWeightedError(original, result.reconstruction, cols),
    importanceWeightedError: importanceWeightedError(original, result.reconstruction, cols, x.importance),
    cosine: c.cosine,
    worstRowCosine: c.worst,
    worstRow: c.worstRow,
    outliers: result.tensor.outlierIndex.length,
    salientColumns: result.tensor.salientColumns.length,
    tierHistogram: result.stats.tierHistogram,
    tierWidths: result.stats.tierWidths,
    clippedBlocks: result.stats.clippedBlocks,
    codebook: result.stats.codebook,
    codebookEntries: result.stats.codebookEntries,
    codebookEntropy: usage.entropy,
    codebookUsed: usage.used,
    importance: x.importanceKind,
    decodedWith: x.decodedWith,
  };
}

interface NamedReport {
  name: string;
  parameters: number;
  bytes: number;
  cb158: Cb158TensorReport | undefined;
}

/** Model-level totals over the CB158 tensors; `keptNames` are the tensors left at keepType. */
export function cb158Totals(targetBpw: number, tensors: readonly NamedReport[], kept: readonly NamedReport[]): Cb158Totals {
  const done = tensors.filter((t) => t.cb158 !== undefined);
  let weights = 0;
  let packedBytes = 0;
  let rel = 0;
  let eh = 0;
  let worst: NamedReport | undefined;
  for (const t of done) {
    const r = t.cb158!;
    weights += t.parameters;
    packedBytes += r.packedBytes;
    rel += r.relativeError * t.parameters;
    eh += r.importanceWeightedError * t.parameters;
    if (!worst || r.importanceWeightedError > worst.cb158!.importanceWeightedError) worst = t;
  }
  const mean = (s: number) => (weights > 0 ? s / weights : 0);
  return {
    targetBpw,
    tensors: done.length,
    weights,
    packedBytes,
    effectiveBpw: weights > 0 ? (8 * packedBytes) / weights : 0,
    meanRelativeError: mean(rel),
    meanImportanceWeightedError: mean(eh),
    worstTensor: worst?.name,
    worstImportanceWeightedError: worst?.cb158!.importanceWeightedError ?? 0,
    outliers: done.reduce((n, t) => n + t.cb158!.outliers, 0),
    salientColumns: done.reduce((n, t) => n + t.cb158!.salientColumns, 0),
    kept: {
      tensors: kept.length,
      parameters: kept.reduce((n, t) => n + t.parameters, 0),
      bytes: kept.reduce((n, t) => n + t.bytes, 0),
      names: kept.map((t) => t.name),
    },
  };
}
