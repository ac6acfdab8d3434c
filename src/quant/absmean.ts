/**
 * BitNet b1.58 absmean ternarization (bitnet-semantics.md §3), in float32 arithmetic:
 *   γ = mean|W| (float32),  γc = max(γ, fround(1e-5)),  s = fround(1/γc),
 *   t = clamp(RHE(fround(W·s)), −1, 1),  σ = fround(1/s)   (dequant: W ≈ σ·t)
 * per tensor (the BitNet rule), per row, or per group of g consecutive elements of a row.
 */
import { fail } from "../core/errors.js";
import { shapeSize } from "./shape.js";
import { asRun, type FloatRun } from "./float-run.js";
import { halfCodes } from "./half-codes.js";
import { torchMeanF32 } from "./torch-sum.js";

export type Granularity = "tensor" | "row" | { group: number };

/**
 * How γ is reduced. "torch" (default): torch's single-thread float32 sum then ÷ float32(n), which
 * reproduces BitNet's converter and transformers' eager `WeightQuant` bit for bit (as run with
 * `torch.set_num_threads(1)`; multi-threaded torch chunks tensors over 32,768 elements). "float64":
 * ternpack's spec definition, fround(Σ|W| / n) with the sum in float64, the correctly rounded mean.
 * The two can differ in the last bits of γ (up to 3 ulps for rows/groups in the golden set), hence
 * of s and σ; the codes agreed on every golden case.
 */
export type Reduction = "torch" | "float64";

export interface AbsmeanOptions {
  granularity: Granularity;
  reduction?: Reduction;
  /** Tensor name, for error messages. */
  tensor?: string;
  /** Where to write the codes (a caller's reusable buffer); a new array when absent. */
  codesInto?: Int8Array;
}

export interface AbsmeanResult {
  /** Row-major codes in {−1, 0, +1} (never −0), same element order as the input. */
  codes: Int8Array;
  shape: readonly number[];
  /**
   * Consecutive row-major elements that share one scale (n per tensor, cols per row, g per
   * group): element i uses index floor(i / groupLength) of the three arrays below.
   */
  groupLength: number;
  /** σ = fround(1/s), the dequantization multiplier (what I2_S/TL/TQ store). */
  scales: Float32Array;
  /** s = fround(1/γc), the quantizer's multiplier (HF `bitlinear` stores this as weight_scale). */
  inverse: Float32Array;
  /** γc = max(mean|W|, fround(1e-5)) (HF `autobitlinear` stores this as weight_scale). */
  meanAbs: Float32Array;
}

/** The clamp floor of γ, as torch converts the scalar 1e-5 for a float32 tensor. */
export const MEAN_ABS_FLOOR = Math.fround(1e-5);

/** Elements per scale for this shape and granularity (validates the shape against the values). */
function groupLengthFor(length: number, shape: readonly number[], granularity: Granularity, tensor?: string): number {
  const n = shapeSize(shape, tensor);
  if (n !== length) fail("SHAPE_MISMATCH", { tensor, detail: `shape [${shape.join(", ")}] holds ${n} elements, got ${length} values` });
  if (n === 0) fail("SHAPE_MISMATCH", { tensor, detail: "cannot ternarize an empty tensor" });
  if (granularity === "tensor") return n;
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  if (granularity === "row") return cols;
  const g = granularity.group;
  if (!Number.isSafeInteger(g) || g <= 0) fail("USAGE", { tensor, detail: `group size must be a positive integer, got ${g}` });
  if (cols % g !== 0) fail("SHAPE_MISMATCH", { tensor, detail: `row length ${cols} is not a multiple of the group size ${g}` });
  return g;
}

/** Throws NON_FINITE naming the first NaN/±Inf in `[start, end)`, if there is one. */
function rejectNonFinite(run: FloatRun, start: number, end: number, tensor?: string): void {
  for (let at = start; at < end; at += CODE_WINDOW) {
    const count = Math.min(CODE_WINDOW, end - at);
    const x = run.window(at, count);
    for (let i = 0; i < count; i++) {
      if (!Number.isFinite(x[i]!)) fail("NON_FINITE", { tensor, detail: `element ${at + i} is ${x[i]}` });
    }
  }
}

function float64MeanAbs(run: FloatRun, start: number, length: number): number {
  let sum = 0;
  for (let at = start, end = start + length; at < end; at += CODE_WINDOW) {
    const count = Math.min(CODE_WINDOW, end - at);
    const x = run.window(at, count);
    for (let i = 0; i < count; i++) sum += Math.abs(x[i]!);
  }
  return Math.fround(sum / length);
}

/** Shortest group for which the 16-bit codes pass (half-codes.ts) replaces the float one. */
const HALF_CODES_MIN = 1 << 18;

/** Elements a codes pass reads per window of a run. */
const CODE_WINDOW = 1 << 14;

/**
 * What a codes pass saw, for statistics without a second pass over the weights: the ±1 counts,
 * Σw² and Σ|w| over the weights given a non-zero code (so ‖W − σ·t‖² = Σw² − 2σ·Σ|w|·[t≠0] + σ²·nnz,
 * because a non-zero code always has the sign of its weight). Sums in float64.
 */
export interface CodeTally {
  plus: number;
  minus: number;
  sumSquares: number;
  keptMagnitude: number;
}

/**
 * codes[start … start + length) = clamp(RHE(fround(W·s)), −1, 1), tallying as it goes. The clamp
 * of RHE is a threshold at ±0.5 (RHE(±0.5) = 0, anything beyond rounds to ≥ 1), written as a
 * difference of comparisons, not a ternary: the sign is data-dependent, and a branch on it
 * mispredicts often enough to cost several times the rest of the loop.
 */
function writeCodes(run: FloatRun, s: number, codes: Int8Array, start: number, length: number, tally: CodeTally): void {
  let plus = 0, minus = 0, sq0 = 0, sq1 = 0, kept0 = 0, kept1 = 0;
  for (let at = start, end = start + length; at < end; at += CODE_WINDOW) {
    const count = Math.min(CODE_WINDOW, end - at);
    const x = run.window(at, count);
    let i = 0;
    for (; i + 1 < count; i += 2) {
      const w0 = x[i]!, w1 = x[i + 1]!;
      const y0 = Math.fround(w0 * s), y1 = Math.fround(w1 * s);
      const p0 = +(y0 > 0.5), m0 = +(y0 < -0.5), p1 = +(y1 > 0.5), m1 = +(y1 < -0.5);
      codes[at + i] = p0 - m0;
      codes[at + i + 1] = p1 - m1;
      plus += p0 + p1;
      minus += m0 + m1;
      sq0 += w0 * w0;
      sq1 += w1 * w1;
      kept0 += (p0 + m0) * Math.abs(w0);
      kept1 += (p1 + m1) * Math.abs(w1);
    }
    for (; i < count; i++) {
      const w = x[i]!;
      const y = Math.fround(w * s);
      const p = +(y > 0.5), m = +(y < -0.5);
      codes[at + i] = p - m;
      plus += p;
      minus += m;
      sq0 += w * w;
      kept0 += (p + m) * Math.abs(w);
    }
  }
  tally.plus += plus;
  tally.minus += minus;
  tally.sumSquares += sq0 + sq1;
  tally.keptMagnitude += kept0 + kept1;
}

/** A codes buffer for `n` codes: `into` (its first n, 4-byte aligned) when given, else a new one. */
function codesFor(n: number, into: Int8Array | undefined, tensor?: string): Int8Array {
  if (!into) return new Int8Array(n);
  if (into.length < n || into.byteOffset % 4 !== 0) {
    fail("USAGE", { tensor, detail: `the codes buffer must hold ${n} codes from a 4-byte aligned offset, got ${into.length} at ${into.byteOffset}` });
  }
  return into.subarray(0, n);
}

/**
 * Ternarizes `values` (row-major, `shape` = [..., cols]) with absmean scales; `values` may be a
 * run (float-run.ts) so that 16-bit weights are widened a window at a time. `tally`, when given,
 * receives the counts and sums of every group (see CodeTally).
 * Throws NON_FINITE (first bad index), SHAPE_MISMATCH (size, empty, cols % g), INVALID_SHAPE, USAGE.
 */
export function absmeanTernarize(values: Float32Array | FloatRun, shape: readonly number[], options: AbsmeanOptions, tally?: CodeTally): AbsmeanResult {
  const { tensor } = options;
  const run = asRun(values);
  const reduction = options.reduction ?? "torch";
  const groupLength = groupLengthFor(run.length, shape, options.granularity, tensor);
  const groups = run.length / groupLength;
  const codes = codesFor(run.length, options.codesInto, tensor);
  const scales = new Float32Array(groups);
  const inverse = new Float32Array(groups);
  const meanAbs = new Float32Array(groups);
  const counts = tally ?? { plus: 0, minus: 0, sumSquares: 0, keptMagnitude: 0 };

  for (let gi = 0, start = 0; gi < groups; gi++, start += groupLength) {
    const gamma = reduction === "torch" ? torchMeanF32(run, start, groupLength, true) : float64MeanAbs(run, start, groupLength);
    // A NaN/Inf input makes the mean NaN/Inf; a finite mean proves the group is finite.
    if (!Number.isFinite(gamma)) rejectNonFinite(run, start, start + groupLength, tensor);
    const gammaClamped = gamma > MEAN_ABS_FLOOR ? gamma : MEAN_ABS_FLOOR;
    const s = Math.fround(1 / gammaClamped);
    meanAbs[gi] = gammaClamped;
    inverse[gi] = s;
    scales[gi] = 1 / s;
    // the pattern histogram costs 2^16 steps per group: worth it only for long groups (per-tensor)
    if (run.halves && groupLength >= HALF_CODES_MIN) halfCodes(run.halves.bytes, run.halves.kind, s, codes, start, groupLength, counts);
    else writeCodes(run, s, codes, start, groupLength, counts);
  }
  return { codes, shape: [...shape], groupLength, scales, inverse, meanAbs };
}

/**
 * BitNet's converter `weight_quant` output: t / s in float32, i.e. ±σ for non-zero codes and a
 * signed zero (−0 for negative inputs, as torch's round keeps the sign) for zero codes.
 */
export function fakeQuantize(values: Float32Array, result: AbsmeanResult): Float32Array {
  if (values.length !== result.codes.length) {
    fail("SHAPE_MISMATCH", { detail: `${values.length} values for ${result.codes.length} codes` });
  }
  const out = new Float32Array(values.length);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const { codes, inverse, groupLength } = result;
  for (let g = 0, start = 0; g < inverse.length; g++, start += groupLength) {
    const s = inverse[g]!;
    for (let i = start; i < start + groupLength; i++) {
      const t = codes[i]!;
      if (t !== 0) out[i] = t / s;
      else if (bits[i]! >>> 31 !== 0) out[i] = -0;
    }
  }
  return out;
}
