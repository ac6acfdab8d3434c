/**
 * The per-tensor work between reading and writing, as four pure synchronous steps (so that a
 * worker thread can run them and every thread count gives the same bytes):
 *   map       checkpoint bytes → float values (a 16-bit tensor: a run over its bytes, widened a
 *             window at a time) or HF-packed codes; NaN/Inf check; q/k permutation
 *             (a tensor ternarized by absmean skips the scan here: its mean over the whole tensor
 *             is finite only if every value is, and the scan runs only when it is not)
 *   quantize  float values → ternary codes + per-tensor σ (already-ternary input is detected and
 *             kept losslessly; otherwise absmean over the whole tensor, BitNet's rule)
 *   pack      codes or values → the GGUF payload of the planned layout
 *   verify    the payload through the independent reference kernel (VERIFY_FAILED on mismatch),
 *             plus code statistics
 * A ternarized tensor stored in a float/Q8_0 fallback type is written as σ·t, the weights the
 * ternary model computes with. A CB158 tensor (method "cb158") is quantized, packed and checked in
 * its own quantize step (cb158-step.ts) and leaves it as its reconstruction, packed here as F16.
 */
import { fail, isTernpackError } from "../core/errors.js";
import { decodeHalves } from "../core/half.js";
import { float32Decoder } from "../../formats/safetensors/decode.js";
import type { SafetensorsDtype } from "../../formats/safetensors/dtypes.js";
import { getLayout } from "../../formats/layouts/index.js";
import { blockScalesFromTensorScale } from "../../formats/layouts/tq-layout.js";
import type { TernaryTensor } from "../../formats/layouts/types.js";
import { permuteQkRows } from "../model/permute.js";
import { hfPackedToTernary } from "../quant/hf-packed.js";
import { ternaryStats } from "../quant/stats.js";
import { ternarizeTensor } from "../quant/tensor-ternary.js";
import { asRun, halfRun, type FloatRun } from "../quant/float-run.js";
import { cb158QuantizeJob } from "./cb158-step.js";
import { encodeRun } from "./encode-run.js";
import type { FloatScratch } from "./scratch.js";
import { assertVerified } from "../verify/verify-tensor.js";
import { verifyPacked } from "../verify/verify-quantized.js";
import type { VerifyOptions } from "../verify/types.js";
import type { PlannedTensor, TensorJob, TernaryCodes } from "./types.js";

function need<T>(value: T | undefined, step: string, what: string, tensor: string): T {
  return value ?? fail("USAGE", { tensor, detail: `the ${step} step needs ${what}; run the earlier stages first` });
}

/** Throws NON_FINITE naming the tensor, the first bad element and its position. */
function requireFinite(values: Float32Array | FloatRun, t: PlannedTensor): void {
  const run = asRun(values);
  const WINDOW = 1 << 16;
  for (let at = 0; at < run.length; at += WINDOW) {
    const x = run.window(at, Math.min(WINDOW, run.length - at));
    for (let k = 0; k < x.length; k++) {
      if (Number.isFinite(x[k]!)) continue;
      const i = at + k;
      const cols = t.shape.length > 1 ? t.shape[t.shape.length - 1]! : run.length;
      const where = t.shape.length > 1 ? ` (row ${Math.floor(i / cols)}, column ${i % cols} of [${t.shape.join(", ")}])` : "";
      fail("NON_FINITE", { tensor: t.source, detail: `element ${i}${where} is ${x[k]}; GGUF tensor ${t.name}` });
    }
  }
}

function permuted<T extends Float32Array | Int8Array>(data: T, t: PlannedTensor): T {
  return t.permute ? permuteQkRows(data, t.shape[0]!, t.permute.heads, t.name) : data;
}

/** What map keeps of its input besides the tensor: the CB158 importance vector. */
const carried = (job: TensorJob): Pick<TensorJob, "importance"> => (job.importance ? { importance: job.importance } : {});

/** The 16-bit kind of a tensor's checkpoint dtype, if it has one. */
const halfKind = (t: PlannedTensor) => (t.sourceDtype === "BF16" ? "bf16" : t.sourceDtype === "F16" ? "f16" : undefined);

/**
 * The tensor's float values, decoded into `scratch` when one is given and the values cannot
 * outlive the job: a ternarized tensor (not CB158) drops them in quantize, and its fallback
 * float/Q8_0 payload is made from the codes. Anything else gets a fresh array.
 */
function decodeValues(data: Uint8Array, t: PlannedTensor, scratch: FloatScratch | undefined): Float32Array {
  const half = halfKind(t);
  if (scratch && half && t.ternarize && !t.cb158) return decodeHalves(data, half, scratch.take(data.length >>> 1));
  return float32Decoder(t.sourceDtype as SafetensorsDtype, t.source)(data);
}

/** map; with `scratch`, the values of a ternarized tensor are decoded into it (see decodeValues). */
export function mapJob(job: TensorJob, scratch?: FloatScratch): TensorJob {
  const t = job.tensor;
  const data = need(job.data, "map", "the checkpoint bytes", t.name);
  if (t.packed) {
    const scaleBytes = need(job.weightScale, "map", "the weight_scale bytes", t.name);
    const weightScale = float32Decoder(t.packed.weightScaleDtype as SafetensorsDtype, t.packed.weightScale)(scaleBytes)[0]!;
    const r = hfPackedToTernary(data, t.sourceShape, t.packed.outFeatures, weightScale, t.packed.convention, t.source);
    return { tensor: t, ternary: { codes: permuted(r.codes, t), sigma: r.scale, from: "hf-packed" }, ...carried(job) };
  }
  const half = halfKind(t);
  if (half && readsAsRun(t)) {
    const run = halfRun(data, half);
    if (!provedFiniteByQuantize(t)) requireFinite(run, t);
    return { tensor: t, run, ...carried(job) };
  }
  const values = decodeValues(data, t, scratch);
  if (!provedFiniteByQuantize(t)) requireFinite(values, t);
  return { tensor: t, values: permuted(values, t), ...carried(job) };
}

/**
 * Whether quantize's absmean proves the values finite, so that map need not scan them: ternarized,
 * not CB158 (its own quantizer) and not q/k-permuted (so that an element index found after the
 * permutation is the same as the one map would have reported).
 */
function provedFiniteByQuantize(t: PlannedTensor): boolean {
  return t.ternarize && !t.cb158 && !t.permute;
}

/**
 * Whether a 16-bit tensor goes on as a run over its bytes rather than as float32 values: when
 * absmean ternarizes it, or when it is stored as a float type (pack encodes it a slab at a time);
 * not for CB158 (its quantizer needs the values) nor for a q/k permutation (which moves rows).
 */
function readsAsRun(t: PlannedTensor): boolean {
  return !t.cb158 && !t.permute;
}

/** `ternarizeTensor`, reporting a NaN/Inf as map's check does (element, row/column, GGUF name). */
function ternarize(values: Float32Array | FloatRun, t: PlannedTensor, codesInto: Int8Array | undefined) {
  try {
    return ternarizeTensor(values, t.shape, { tensor: t.source, ...(codesInto ? { codesInto } : {}) });
  } catch (e) {
    if (isTernpackError(e, "NON_FINITE")) requireFinite(values, t);
    throw e;
  }
}

/**
 * Ternarizes the float values (or the run of a 16-bit tensor) with the code statistics from the
 * same pass, so that the values need not be kept through pack and verify (the job leaves without
 * them). With `scratch`, the codes are written into its buffer: they never leave processJob.
 */
export function quantizeJob(job: TensorJob, scratch?: FloatScratch): TensorJob {
  const t = job.tensor;
  if (t.cb158) return cb158QuantizeJob(job, job.values ?? (job.ternary && dequantized(job.ternary)));
  if (!t.ternarize || job.ternary) return job;
  const values = job.run ?? need(job.values, "quantize", "float values", t.name);
  const { stats, ...ternary } = ternarize(values, t, scratch?.takeQuantizedCodes(values.length));
  return { ...job, values: undefined, run: undefined, ternary, stats };
}

/** What a ternary layout stores for codes with one σ: per-256-block scales for TQ, σ itself otherwise. */
function packInput(t: PlannedTensor, ternary: TernaryCodes): TernaryTensor {
  const scales = t.layout.startsWith("tq") ? blockScalesFromTensorScale(ternary.codes, t.shape, ternary.sigma) : Float32Array.of(ternary.sigma);
  return { shape: t.shape, codes: ternary.codes, scales };
}

function dequantized({ codes, sigma }: TernaryCodes): Float32Array {
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i]! * sigma;
  return out;
}

export function packJob(job: TensorJob): TensorJob {
  const t = job.tensor;
  const layout = getLayout(t.layout);
  let bytes: Uint8Array;
  if (t.ternaryLayout) {
    const pack = layout.pack ?? fail("USAGE", { tensor: t.name, detail: `${t.layout} is not a ternary layout` });
    bytes = pack(packInput(t, need(job.ternary, "pack", "ternary codes", t.name)), t.params);
  } else if (job.run) {
    bytes = encodeRun(layout, job.run, t.shape, t.nbytes, t.params, t.name);
  } else {
    const values = job.ternary ? dequantized(job.ternary) : need(job.values, "pack", "float values", t.name);
    bytes = layout.encode(values, t.shape, t.params);
  }
  if (bytes.length !== t.nbytes) fail("TENSOR_INVALID_INFO", { tensor: t.name, detail: `${t.layout} produced ${bytes.length} bytes, the plan has ${t.nbytes}` });
  return { ...job, bytes };
}

export interface VerifyStepOptions {
  /** Run the reference-kernel verification (default true); statistics are computed either way. */
  verify?: boolean;
  verifyOptions?: VerifyOptions;
}

/** verify; with `scratch`, the kernel decodes the payload's codes into it (they never leave the step). */
export function verifyJob(job: TensorJob, options: VerifyStepOptions = {}, scratch?: FloatScratch): TensorJob {
  const t = job.tensor;
  if (!job.ternary) return job;
  const bytes = need(job.bytes, "verify", "the packed bytes", t.name);
  const { codes, sigma } = job.ternary;
  const stats = job.stats ?? ternaryStats(codes, { scales: sigma, ...(job.values ? { values: job.values } : {}), tensor: t.name });
  if (!t.ternaryLayout || options.verify === false) return { ...job, stats };
  const ternary = { shape: t.shape, codes, scales: Float32Array.of(sigma) };
  const verification = verifyPacked(t.name, t.layout, ternary, bytes, t.params, options.verifyOptions, scratch?.takeCodes(codes.length));
  assertVerified(verification);
  return { ...job, stats, verification };
}

/** A job's report: the tensor, verification, statistics and how its codes were obtained, without any array. */
export function jobReport(job: TensorJob): TensorJob {
  const { tensor, verification, stats, ternary, cb158 } = job;
  const codeSource = job.codeSource ?? ternary?.from;
  const sigma = job.sigma ?? ternary?.sigma;
  return { tensor, verification, stats, ...(codeSource ? { codeSource } : {}), ...(sigma !== undefined ? { sigma } : {}), ...(cb158 ? { cb158 } : {}) };
}

/**
 * map → quantize → pack → verify for one tensor; returns the payload (and a CB158 tensor's CB158
 * bytes) with the report. `bytesFree` is called once the job's checkpoint bytes are no longer
 * referenced (after quantize, unless pack still reads them). `scratch` (owned by the calling thread) is reused for the float values
 * and the verifier's decoded codes, which never leave this call.
 */
export function processJob(job: TensorJob, options: VerifyStepOptions = {}, scratch?: FloatScratch, bytesFree?: () => void): TensorJob {
  const quantized = quantizeJob(mapJob(takeBytes(job), scratch), scratch);
  // Past quantize, only a run or float values can still be views of the checkpoint bytes.
  if (!quantized.run && !quantized.values) bytesFree?.();
  const done = verifyJob(packJob(quantized), options, scratch);
  return { ...jobReport(done), bytes: done.bytes, ...(done.cb158Bytes ? { cb158Bytes: done.cb158Bytes } : {}) };
}

/**
 * A copy of `job` with its checkpoint bytes, which are removed from `job` itself: the caller's
 * reference must not keep them (35 MB for an FFN tensor) alive through quantize, pack and verify.
 */
function takeBytes(job: TensorJob): TensorJob {
  const taken = { ...job };
  delete job.data;
  delete job.weightScale;
  return taken;
}
