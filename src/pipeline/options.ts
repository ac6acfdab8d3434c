/**
 * The conversion options (what `convert()` and the CLI accept) and their resolution: defaults
 * filled in, combinations checked once, up front, before any file is opened (USAGE errors).
 */
import { availableParallelism } from "node:os";
import type { ByteSink } from "../core/atomic-file.js";
import { fail } from "../core/errors.js";
import type { ByteSource } from "../core/io.js";
import { LLAMA_FTYPE } from "../../formats/gguf/ftype.js";
import { DEFAULT_BPW } from "../../formats/layouts/cb158-format.js";
import type { TlParams } from "../../formats/layouts/types.js";
import type { Provenance } from "../model/provenance.js";
import type { Runtime } from "../model/spec.js";
import type { VerifyOptions } from "../verify/types.js";
import type { ProgressEvent } from "./types.js";

export type Target = Runtime;
export type TernaryLayoutName = "tq1_0" | "tq2_0" | "i2_s" | "tl1" | "tl2";
export type KeepType = "f32" | "f16" | "bf16" | "q8_0";
export type FallbackType = "f16" | "q8_0" | "error";
export type Method = "absmean" | "cb158" | "none";
/** "gguf": llama.cpp / bitnet.cpp files; "tpk": the ternpack container (formats/container), which also stores CB158 as is. */
export type OutputFormat = "gguf" | "tpk";

export interface ConvertOptions {
  /** A model folder (config.json + model.safetensors or a sharded index), or a safetensors/index file. */
  input: string;
  /** "gguf" (default) or "tpk", the ternpack container. */
  format?: OutputFormat;
  /** format "tpk": also deflate float tensors where it pays (slow: fflate runs at 15–25 MB/s); side files always are. */
  compress?: boolean;
  /** The GGUF (or container) to write; with `splitMaxBytes`, shards are `<output minus .gguf>-00001-of-0000N.gguf`. Not needed for dryRun. */
  output?: string;
  /** Runtime the file is for (default "llama.cpp"). */
  target?: Target;
  /** Ternary layout: llama.cpp tq2_0 (default) | tq1_0; bitnet.cpp i2_s (default) | tl1 | tl2. */
  layout?: TernaryLayoutName;
  /**
   * "absmean" (default) ternarizes the block projections; "cb158" quantizes them with the CB158
   * quantizer (written dequantized, see `exportDequantized`); "none" writes every 2-D tensor in keepType.
   */
  method?: Method;
  /** method "cb158": target bits per weight, every stored bit counted (default 1.58). */
  bpw?: number;
  /**
   * method "cb158": "auto" (default) stores a learned per-tensor table where it beats the built-in
   * ternary grid at the same size (about 3× slower on large tensors), "grid" never learns one,
   * "learned" always does (USAGE when no table fits the budget).
   */
  codebook?: Cb158Codebook;
  /** method "cb158": a llama.cpp/ternpack importance matrix file (legacy .dat or GGUF). */
  imatrix?: string;
  /** method "cb158": a calibration text file; its importance matrix is collected on the original model. */
  calib?: string;
  /**
   * method "cb158" with format "gguf" (required there): write each CB158 tensor as F16 of its exact
   * reconstruction, since no GGUF runtime executes CB158. Format "tpk" stores the CB158 bytes instead.
   */
  exportDequantized?: boolean;
  /** Type of the 2-D tensors that are not ternarized (embeddings, output, dense modules); default "f16". */
  keepType?: KeepType;
  /** Type of ternary tensors whose shape the layout cannot hold; default "f16". */
  fallback?: FallbackType;
  /** TL1/TL2 tiling for every TL tensor; default: bitnet.cpp's preset for the shape, else the documented rule. */
  tl?: TlParams;
  /** Verify every ternary tensor against the reference kernel before writing it (default true). */
  verify?: boolean;
  verifyOptions?: VerifyOptions;
  /** Worker threads for map/quantize/pack/verify; 0 runs inline. Default min(2, cores). */
  workers?: number;
  /** Split the output into shards of at most this many bytes of (padded) tensor data, as gguf-split counts. */
  splitMaxBytes?: number;
  /** Plan only: compute the tensor table, sizes and offsets from the headers, write nothing. */
  dryRun?: boolean;
  /** config.json to use (default `<model folder>/config.json`). */
  config?: string;
  /** Folder with the tokenizer files (default the model folder); false writes no tokenizer KVs. */
  tokenizer?: string | false;
  /** `general.*` provenance; the default name comes from the model folder's name. */
  metadata?: Provenance;
  /** Aborting stops the run with INTERRUPTED and leaves no output behind. */
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** How checkpoint files are opened (tests count reads with it). */
  openSource?: (path: string) => Promise<ByteSource>;
  /** Wraps each output file's sink (instrumentation, fault injection in tests). */
  wrapSink?: (sink: ByteSink, path: string) => ByteSink;
}

export interface ResolvedOptions {
  format: OutputFormat;
  compress: boolean;
  target: Target;
  layout: TernaryLayoutName;
  method: Method;
  keepType: KeepType;
  fallback: FallbackType;
  tl: TlParams | undefined;
  verify: boolean;
  verifyOptions: VerifyOptions;
  workers: number;
  splitMaxBytes: number | undefined;
  /** method "cb158": the target bpw and where the importance comes from; undefined otherwise. */
  cb158: Cb158Resolved | undefined;
  /** general.file_type. */
  fileType: number;
}

const LAYOUTS_OF: Record<Target, readonly TernaryLayoutName[]> = {
  "llama.cpp": ["tq2_0", "tq1_0"],
  "bitnet.cpp": ["i2_s", "tl1", "tl2"],
};

/** Where CB158's per-tensor importance vectors come from. */
export type ImportanceSource = { kind: "imatrix"; path: string } | { kind: "calib"; path: string } | { kind: "flat" };

export type Cb158Codebook = "auto" | "grid" | "learned";

export interface Cb158Resolved {
  bpw: number;
  codebook: Cb158Codebook;
  importance: ImportanceSource;
}

/** Largest target accepted: 16 bits per weight is already more than the F16 it is exported as. */
const MAX_BPW = 16;

const KEEP_TYPES: readonly KeepType[] = ["f32", "f16", "bf16", "q8_0"];
const FALLBACKS: readonly FallbackType[] = ["f16", "q8_0", "error"];
const METHODS: readonly Method[] = ["absmean", "cb158", "none"];

/** general.file_type of each output type (gguf.md §6). */
export const FILE_TYPE_OF: Record<TernaryLayoutName | KeepType, number> = {
  tq1_0: LLAMA_FTYPE.MOSTLY_TQ1_0,
  tq2_0: LLAMA_FTYPE.MOSTLY_TQ2_0,
  tl1: LLAMA_FTYPE.MOSTLY_TL1,
  tl2: LLAMA_FTYPE.MOSTLY_TL2,
  i2_s: LLAMA_FTYPE.MOSTLY_I2_S,
  f32: LLAMA_FTYPE.ALL_F32,
  f16: LLAMA_FTYPE.MOSTLY_F16,
  bf16: LLAMA_FTYPE.MOSTLY_BF16,
  q8_0: LLAMA_FTYPE.MOSTLY_Q8_0,
};

function oneOf<T extends string>(option: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) fail("USAGE", { detail: `${option} must be one of ${allowed.join(", ")}; got ${JSON.stringify(value)}` });
  return value;
}

function count(option: string, value: number | undefined, min: number): number | undefined {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= min)) {
    fail("USAGE", { detail: `${option} must be an integer >= ${min}; got ${value}` });
  }
  return value;
}

export function defaultWorkers(): number {
  return Math.min(2, availableParallelism());
}

const EXPORT_WHY =
  "method cb158 to a GGUF needs exportDequantized (--export-dequantized): no runtime executes CB158, " +
  "so the GGUF gets every CB158 tensor written as F16 of its exact reconstruction (what llama.cpp tools can evaluate); format tpk (--format tpk) stores CB158 itself";

function resolveCb158(o: ConvertOptions, method: Method, format: OutputFormat): Cb158Resolved | undefined {
  if (method !== "cb158") {
    for (const key of ["bpw", "codebook", "imatrix", "calib", "exportDequantized"] as const) {
      if (o[key] !== undefined) fail("USAGE", { detail: `${key} applies to method cb158, not ${method}` });
    }
    return undefined;
  }
  if (format === "tpk" && o.exportDequantized !== undefined) fail("USAGE", { detail: "exportDequantized does not apply to format tpk: the container stores the CB158 tensors themselves" });
  if (format === "gguf" && o.exportDequantized !== true) fail("USAGE", { detail: EXPORT_WHY });
  if (o.layout !== undefined) fail("USAGE", { detail: `layout does not apply to method cb158 (its tensors are exported as F16)` });
  if (o.imatrix !== undefined && o.calib !== undefined) fail("USAGE", { detail: "give either imatrix or calib, not both" });
  const bpw = o.bpw ?? DEFAULT_BPW;
  if (!(Number.isFinite(bpw) && bpw > 0 && bpw <= MAX_BPW)) fail("USAGE", { detail: `bpw must be a number in (0, ${MAX_BPW}]; got ${bpw}` });
  const importance: ImportanceSource =
    o.imatrix !== undefined ? { kind: "imatrix", path: o.imatrix } : o.calib !== undefined ? { kind: "calib", path: o.calib } : { kind: "flat" };
  const codebook = oneOf("codebook", o.codebook, ["auto", "grid", "learned"] as const, "auto");
  return { bpw, codebook, importance };
}

export function resolveOptions(o: ConvertOptions): ResolvedOptions {
  if (typeof o.input !== "string" || o.input === "") fail("USAGE", { detail: "input (a model folder or safetensors file) is required" });
  if (!o.dryRun && (typeof o.output !== "string" || o.output === "")) fail("USAGE", { detail: "output (the GGUF path) is required unless dryRun is set" });
  const target = oneOf("target", o.target, ["llama.cpp", "bitnet.cpp"], "llama.cpp");
  const layouts = LAYOUTS_OF[target];
  const layout = oneOf(`layout for target ${target}`, o.layout, layouts, layouts[0]!);
  const format = oneOf("format", o.format, ["gguf", "tpk"], "gguf");
  if (format === "tpk" && o.splitMaxBytes !== undefined) fail("USAGE", { detail: "splitMaxBytes applies to GGUF output; a container is one file" });
  if (format !== "tpk" && o.compress !== undefined) fail("USAGE", { detail: "compress applies to format tpk (GGUF tensors are never compressed)" });
  const method = oneOf("method", o.method, METHODS, "absmean");
  const keepType = oneOf("keepType", o.keepType, KEEP_TYPES, "f16");
  const fallback = oneOf("fallback", o.fallback, FALLBACKS, "f16");
  const cb158 = resolveCb158(o, method, format);
  if (o.tl !== undefined && layout !== "tl1" && layout !== "tl2") fail("USAGE", { detail: `tl parameters apply to layouts tl1/tl2, not ${layout}` });
  return {
    format,
    compress: o.compress ?? false,
    target,
    layout,
    method,
    keepType,
    fallback,
    tl: o.tl,
    verify: o.verify ?? true,
    verifyOptions: o.verifyOptions ?? {},
    workers: count("workers", o.workers, 0) ?? defaultWorkers(),
    splitMaxBytes: count("splitMaxBytes", o.splitMaxBytes, 1),
    cb158,
    // cb158 block projections are F16 in the file, whatever keepType the embeddings use
    fileType: FILE_TYPE_OF[method === "none" ? keepType : method === "cb158" ? "f16" : layout],
  };
}
