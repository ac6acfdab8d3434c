/** The pipeline's data: the plan (computed from headers only) and the jobs that flow through the stages. */
import type { FileRange } from "../core/io.js";
import type { FloatRun } from "../quant/float-run.js";
import type { LayoutParams, TlParams } from "../../formats/layouts/types.js";
import type { TlParamsSource } from "../../formats/layouts/tl-presets.js";
import type { MetadataKv } from "../model/metadata-kv.js";
import type { QkPermutation } from "../model/permute.js";
import type { TensorRole } from "../model/tensor-names.js";
import type { HfPackedSource } from "../model/tensor-map.js";
import type { TernaryStats } from "../quant/stats.js";
import type { CodeSource, TensorTernary } from "../quant/tensor-ternary.js";
import type { VerifyResult } from "../verify/types.js";
import type { Cb158TensorReport } from "./cb158-report.js";

/** A tensor stored in another type than planned, and why. */
export interface Fallback {
  /** The layout that was wanted (e.g. "tq2_0"). */
  wanted: string;
  reason: string;
}

/** One output tensor: where its data comes from, how it is stored and where it goes. */
export interface PlannedTensor {
  /** Position in the output (over all shards). */
  index: number;
  /** GGUF name. */
  name: string;
  /** HF tensor holding the data; `sources` adds its weight_scale when HF packed. */
  source: string;
  sources: readonly string[];
  sourceDtype: string;
  /** As stored in the checkpoint (HF packed: [ceil(out/4), in]). */
  sourceShape: readonly number[];
  /** Bytes read from the checkpoint for this tensor (all sources). */
  sourceBytes: number;
  role: TensorRole;
  /** Logical PyTorch shape [out, in] or [n]. */
  shape: readonly number[];
  /** GGUF dims, ne0 first. */
  dims: readonly number[];
  /** Elements. */
  parameters: number;
  /** Output layout name in the registry: tq2_0, i2_s, f16, f32, q8_0, ... */
  layout: string;
  ggmlType: number;
  /** ggml type name, e.g. "TQ2_0". */
  typeName: string;
  params: LayoutParams;
  /** TL1/TL2 tiling and where it came from (explicit, preset:<model>, rule). */
  tl: { params: TlParams; source: TlParamsSource } | undefined;
  /** Codes are computed (absmean, detected or HF packed), whatever the output type. */
  ternarize: boolean;
  /** Stored in a ternary layout (and therefore verified). */
  ternaryLayout: boolean;
  fallback: Fallback | undefined;
  /** method "cb158": quantized with CB158 and written as F16 of the reconstruction; undefined otherwise. */
  cb158?: PlannedCb158;
  /** q/k rows to permute (arch llama). */
  permute: QkPermutation | undefined;
  packed: HfPackedSource | undefined;
  /** Payload bytes (exact, before padding). */
  nbytes: number;
  /** Shard index (0 when not split). */
  shard: number;
  /** Offset relative to the shard's data section. */
  offset: number;
  /** Absolute offset in the shard file. */
  absoluteOffset: number;
}

/** A CB158 tensor's target and the packed size it has (known from the shape alone). */
export interface PlannedCb158 {
  /** Target bits per weight. */
  bpw: number;
  /** The quantizer's codebook choice (Cb158Options.codebook). */
  codebook: "auto" | "grid" | "learned";
  /** Bytes of the CB158 payload (verified, then exported as F16; not stored in the file). */
  packedBytes: number;
  /** 8 · packedBytes / weights: every stored bit counted. */
  effectiveBpw: number;
  /** Where the importance vector comes from (attached to the job before quantizing unless "flat"). */
  importance: "imatrix" | "calib" | "flat";
}

export interface PlannedShard {
  /** Final path of this file. */
  path: string;
  /** Index range [first, first + count) of its tensors in `ConversionPlan.tensors`. */
  first: number;
  count: number;
  /** The KVs of this file, in order (the first carries every model KV; later ones only split keys). */
  kv: readonly MetadataKv[];
  dataOffset: number;
  fileSize: number;
}

export interface BitsPerWeight {
  /** Over the tensors stored in a ternary layout; undefined when there is none. */
  ternary: number | undefined;
  /** Over every tensor's payload (headers not counted). */
  overall: number;
}

export interface PlanTotals {
  tensors: number;
  parameters: number;
  /** Sum of payload bytes (no padding, no headers). */
  tensorBytes: number;
  /** Sum of the output files' sizes. */
  fileBytes: number;
  /** Sum of checkpoint bytes read. */
  sourceBytes: number;
  ternaryTensors: number;
  ternaryParameters: number;
  ternaryBytes: number;
  fallbacks: number;
}

export interface ConversionPlan {
  input: string;
  /** "gguf" or "tpk" (the ternpack container). */
  format: string;
  target: string;
  method: string;
  /** The ternary layout asked for. */
  layout: string;
  /** GGUF general.architecture. */
  architecture: string;
  hfArchitecture: string;
  fileType: number;
  alignment: number;
  tensors: PlannedTensor[];
  shards: PlannedShard[];
  /** Checkpoint tensors not written, with the reason. */
  skipped: { name: string; reason: string }[];
  fallbacks: { tensor: string; layout: string; wanted: string; reason: string }[];
  totals: PlanTotals;
  bitsPerWeight: BitsPerWeight;
  /** Facts about the config worth printing (e.g. the weight_scale convention and whether it was defaulted). */
  notes: string[];
  /** Runtime, tokenizer, planning and fallback warnings. */
  warnings: string[];
}

/** Codes and σ of one ternarized tensor (permuted when the plan says so). */
export type TernaryCodes = Omit<TensorTernary, "stats">;
export type { CodeSource };

/**
 * One tensor on its way through the stages. Each stage fills in its part and drops what later
 * stages no longer need (read → data; map → values or ternary; quantize → ternary; pack → bytes;
 * verify → verification and stats).
 */
export interface TensorJob {
  tensor: PlannedTensor;
  /** Checkpoint bytes of `tensor.source` (read). */
  data?: Uint8Array;
  /** Checkpoint bytes of the weight_scale, for HF packed weights (read). */
  weightScale?: Uint8Array;
  /**
   * Instead of `data` and `weightScale`: where they are in the checkpoint's files, for a worker
   * thread to read itself (convert with workers), so that no tensor's bytes cross threads.
   */
  ranges?: { data: FileRange; weightScale?: FileRange };
  /** Float values, logical shape, permuted (map). */
  values?: Float32Array;
  /**
   * Instead of `values`, for a 16-bit tensor (not CB158, not permuted): the checkpoint bytes as a
   * run widened a window at a time (map), so that the tensor never exists whole in float32
   * (quantize ternarizes from it and drops it; a float output type is encoded from it a slab at a time).
   * Never crosses threads: map and quantize run in the same processJob call.
   */
  run?: FloatRun;
  ternary?: TernaryCodes;
  /** The GGUF payload (pack). */
  bytes?: Uint8Array;
  verification?: VerifyResult;
  stats?: TernaryStats;
  /** Kept when `ternary` is dropped after packing: how the codes were obtained and their σ. */
  codeSource?: CodeSource;
  sigma?: number;
  /** method "cb158": the tensor's importance vector h (length K), attached before quantizing. */
  importance?: Float32Array;
  /** method "cb158": the packed CB158 payload (quantize step), which the ternpack container stores. */
  cb158Bytes?: Uint8Array;
  /** method "cb158": quality and size facts of the quantized tensor (quantize step). */
  cb158?: Cb158TensorReport;
}

export interface ProgressEvent {
  /** The tensor just written. */
  tensor: string;
  tensorsDone: number;
  tensorsTotal: number;
  /** Output bytes written so far (headers and padding included) and in total. */
  bytesDone: number;
  bytesTotal: number;
  /** Shard being written (0-based) and the number of shards. */
  shard: number;
  shards: number;
}
