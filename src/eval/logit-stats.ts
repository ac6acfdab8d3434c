/**
 * The per-token statistics llama.cpp's `perplexity --kl-divergence` reports, computed in float64
 * from two float32 logit vectors over the same vocabulary: NLL of the target under each model,
 * KL(P_original ‖ P_quantized) and whether the two argmaxes agree; and their summaries (mean with
 * llama.cpp's standard error sqrt((E[x²] − E[x]²) / (n − 1)), linearly interpolated percentiles).
 */
import { fail } from "../core/errors.js";

/** out[i] = log softmax(logits)[i] in float64 (max-subtracted, one exp/log pass). */
export function logSoftmax64(logits: Float32Array, out: Float64Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  const logZ = Math.log(sum) + max;
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! - logZ;
  return out;
}

/** Σ_i p_i (log p_i − log q_i) for log-probabilities `logP`, `logQ`. */
export function klDivergence(logP: Float64Array, logQ: Float64Array): number {
  let kl = 0;
  for (let i = 0; i < logP.length; i++) {
    const lp = logP[i]!;
    kl += Math.exp(lp) * (lp - logQ[i]!);
  }
  return kl;
}

/** Index of the largest value (first one on ties). */
function argmax64(values: Float64Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Per-token statistics of one scored stream, grown token by token (no per-token allocation). */
export class TokenStats {
  readonly nllOriginal: Float64Array;
  readonly nllQuantized: Float64Array;
  readonly kl: Float64Array;
  readonly sameTop: Uint8Array;
  private n = 0;
  private readonly logP: Float64Array;
  private readonly logQ: Float64Array;

  constructor(capacity: number, vocab: number) {
    this.nllOriginal = new Float64Array(capacity);
    this.nllQuantized = new Float64Array(capacity);
    this.kl = new Float64Array(capacity);
    this.sameTop = new Uint8Array(capacity);
    this.logP = new Float64Array(vocab);
    this.logQ = new Float64Array(vocab);
  }

  get count(): number {
    return this.n;
  }

  /** Scores `target` after the original's and the quantized model's logits for one position. */
  add(original: Float32Array, quantized: Float32Array, target: number): void {
    if (this.n >= this.kl.length) fail("LIMIT_EXCEEDED", { detail: `TokenStats holds ${this.kl.length} tokens` });
    if (original.length !== this.logP.length || quantized.length !== this.logP.length) {
      fail("SHAPE_MISMATCH", { detail: `logits of ${original.length} and ${quantized.length} values, the vocabulary has ${this.logP.length}` });
    }
    const logP = logSoftmax64(original, this.logP);
    const logQ = logSoftmax64(quantized, this.logQ);
    const i = this.n++;
    this.nllOriginal[i] = -logP[target]!;
    this.nllQuantized[i] = -logQ[target]!;
    this.kl[i] = klDivergence(logP, logQ);
    this.sameTop[i] = argmax64(logP) === argmax64(logQ) ? 1 : 0;
  }
}

export interface MeanWithError {
  mean: number;
  /** Standard error of the mean, sqrt((E[x²] − E[x]²) / (n − 1)); NaN for n < 2. */
  stderr: number;
}

export function meanWithError(values: ArrayLike<number>, n = values.length): MeanWithError {
  if (n < 1) fail("USAGE", { detail: "no scored tokens" });
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sum += v;
    sum2 += v * v;
  }
  const mean = sum / n;
  const variance = Math.max(0, sum2 / n - mean * mean);
  return { mean, stderr: n > 1 ? Math.sqrt(variance / (n - 1)) : NaN };
}

/** The `fraction` quantile of ascending `sorted`, linearly interpolated between neighbours. */
export function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) fail("USAGE", { detail: "no values" });
  const p = Math.min(1, Math.max(0, fraction)) * (sorted.length - 1);
  const i = Math.floor(p);
  const next = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return (1 - (p - i)) * sorted[i]! + (p - i) * next;
}

export interface Perplexity extends MeanWithError {
  /** exp(mean NLL). */
  ppl: number;
  /** ppl × stderr (first-order propagation, as llama.cpp prints `PPL = x +/- y`). */
  pplError: number;
}

export interface KlSummary extends MeanWithError {
  median: number;
  p99: number;
  max: number;
  min: number;
}

export interface TokenStatsSummary {
  tokens: number;
  original: Perplexity;
  quantized: Perplexity;
  /** Per-token NLL(quantized) − NLL(original): mean = ln(PPL(Q) / PPL(base)). */
  lnPplRatio: MeanWithError;
  kl: KlSummary;
  /** Fraction of positions where both argmaxes agree ("same top p"), stderr sqrt(p(1−p)/(n−1)). */
  sameTop: MeanWithError;
}

function perplexity(nll: Float64Array, n: number): Perplexity {
  const m = meanWithError(nll, n);
  const ppl = Math.exp(m.mean);
  return { ...m, ppl, pplError: ppl * m.stderr };
}

export function summarizeTokenStats(s: TokenStats): TokenStatsSummary {
  const n = s.count;
  const diff = new Float64Array(n);
  for (let i = 0; i < n; i++) diff[i] = s.nllQuantized[i]! - s.nllOriginal[i]!;
  const sorted = s.kl.slice(0, n).sort();
  let same = 0;
  for (let i = 0; i < n; i++) same += s.sameTop[i]!;
  const p = same / n;
  return {
    tokens: n,
    original: perplexity(s.nllOriginal, n),
    quantized: perplexity(s.nllQuantized, n),
    lnPplRatio: meanWithError(diff),
    kl: { ...meanWithError(s.kl, n), median: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted[n - 1]!, min: sorted[0]! },
    sameTop: { mean: p, stderr: n > 1 ? Math.sqrt((p * (1 - p)) / (n - 1)) : NaN },
  };
}
