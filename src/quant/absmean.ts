/**
 * BitNet b1.58 absmean ternarization (bitnet-semantics.md §3), in float32 arithmetic:
 *   γ = mean|W| (float32),  γc = max(γ, fround(1e-5)),  s = fround(1/γc),
 *   t = clamp(RHE(fround(W·s)), −1, 1),  σ = fround(1/s)   (dequant: W ≈ σ·t)
 * per tensor (the BitNet rule), per row, or per group of g consecutive elements of a row.
 */
import { fail } from "../core/errors.js";
import { shapeSize } from "./shape.js";
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
function rejectNonFinite(values: Float32Array, start: number, end: number, tensor?: string): void {
  for (let i = start; i < end; i++) {
    if (!Number.isFinite(values[i]!)) fail("NON_FINITE", { tensor, detail: `element ${i} is ${values[i]}` });
  }
}

function float64MeanAbs(values: Float32Array, start: number, length: number): number {
  let sum = 0;
  const end = start + length;
  for (let i = start; i < end; i++) sum += Math.abs(values[i]!);
  return Math.fround(sum / length);
}

/**
 * Ternarizes `values` (row-major, `shape` = [..., cols]) with absmean scales.
 * Throws NON_FINITE (first bad index), SHAPE_MISMATCH (size, empty, cols % g), INVALID_SHAPE, USAGE.
 */
export function absmeanTernarize(values: Float32Array, shape: readonly number[], options: AbsmeanOptions): AbsmeanResult {
  const { tensor } = options;
  const reduction = options.reduction ?? "torch";
  const groupLength = groupLengthFor(values.length, shape, options.granularity, tensor);
  const groups = values.length / groupLength;
  const codes = new Int8Array(values.length);
  const scales = new Float32Array(groups);
  const inverse = new Float32Array(groups);
  const meanAbs = new Float32Array(groups);

  for (let gi = 0, start = 0; gi < groups; gi++, start += groupLength) {
    const gamma = reduction === "torch" ? torchMeanF32(values, start, groupLength, true) : float64MeanAbs(values, start, groupLength);
    // A NaN/Inf input makes the mean NaN/Inf; a finite mean proves the group is finite.
    if (!Number.isFinite(gamma)) rejectNonFinite(values, start, start + groupLength, tensor);
    const gammaClamped = gamma > MEAN_ABS_FLOOR ? gamma : MEAN_ABS_FLOOR;
    const s = Math.fround(1 / gammaClamped);
    meanAbs[gi] = gammaClamped;
    inverse[gi] = s;
    scales[gi] = 1 / s;
    const end = start + groupLength;
    for (let i = start; i < end; i++) {
      const x = Math.fround(values[i]! * s);
      // clamp(RHE(x), −1, 1) is a threshold at ±0.5: RHE(±0.5) = 0, anything beyond rounds to ≥ 1.
      // Written as a difference of comparisons, not a ternary: the sign is data-dependent, and a
      // branch on it mispredicts often enough to cost several times the rest of the loop.
      codes[i] = +(x > 0.5) - +(x < -0.5);
    }
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
