/**
 * planTensors: from a ModelSpec and the checkpoint's tensor headers (no tensor bytes), the list of
 * GGUF tensors to write, each with its HF source(s), shapes, role, q/k permutation and HF packing.
 * Entries come in convert_hf_to_gguf.py's order: shard by shard, names sorted within a shard
 * (safetensors' `keys()` sorts), so a converter following the plan matches its tensor order.
 */
import { fail } from "../core/errors.js";
import type { ScaleRule } from "../quant/weight-scale.js";
import { denseModuleEntry } from "./dense-modules.js";
import { chooseEmbeddings } from "./embeddings.js";
import type { QkPermutation } from "./permute.js";
import type { ModelSpec } from "./spec.js";
import {
  EMBEDDING,
  LM_HEAD,
  lookupTensorName,
  OUTPUT,
  requiredTensorNames,
  TOKEN_EMBD,
  unmappedDetail,
  weightScaleName,
  type TensorNameMapping,
  type TensorRole,
} from "./tensor-names.js";

/** What planning needs of a checkpoint tensor (a safetensors TensorInfo fits). */
export interface SourceTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Shard holding it (CheckpointTensorInfo has it); orders the plan like the converter. */
  readonly file?: string;
}

export interface PlanOptions {
  /** safetensors `__metadata__` aliases (TensorAccess.aliases): removed tensor → the one kept. */
  aliases?: ReadonlyMap<string, string>;
  /** Set after comparing the bytes of lm_head.weight and model.embed_tokens.weight when both exist. */
  headEqualsEmbedding?: boolean;
}

/** A HF offline-packed U8 weight (transformers pack_weights) and its scale. */
export interface HfPackedSource {
  /** The `<module>.weight_scale` tensor. */
  weightScale: string;
  weightScaleDtype: string;
  /** Rows after unpacking (the module's out_features). */
  outFeatures: number;
  /** σ = 1/weight_scale (bitlinear) or σ = weight_scale (autobitlinear). */
  convention: ScaleRule;
}

export interface TensorPlanEntry {
  gguf: string;
  /** HF tensor holding the data. */
  source: string;
  /** Every HF tensor read for this entry: the data, then its weight_scale if packed. */
  sources: readonly string[];
  sourceDtype: string;
  /** As stored (packed: [ceil(out/4), in]). */
  sourceShape: readonly number[];
  /** Logical PyTorch shape after unpacking: [out, in] or [n]. */
  shape: readonly number[];
  /** GGUF dims, ne0 first: the reversed logical shape. */
  dims: readonly number[];
  role: TensorRole;
  layer: number | undefined;
  /** 1-D tensors and norms stay F32 whatever the output type (gguf-py's rule). */
  keepF32: boolean;
  /** Rows to permute (arch llama, attn_q/attn_k) — after unpacking, before ternary packing. */
  permute: QkPermutation | undefined;
  packed: HfPackedSource | undefined;
  /** For a block projection kept dense: the modules_to_not_convert entry that matched. */
  denseBecause: string | undefined;
}

export interface TensorPlan {
  entries: TensorPlanEntry[];
  /** Present tensors that are not written, with the reason (weight_scale companions excluded). */
  skipped: { name: string; reason: string }[];
  warnings: string[];
}

const FLOAT_DTYPES: readonly string[] = ["F32", "F16", "BF16", "F64"];
const PACKED_DTYPE = "U8";

export function planTensors(spec: ModelSpec, tensors: readonly SourceTensor[], options: PlanOptions = {}): TensorPlan {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const embeddings = chooseEmbeddings(spec, {
    has: (n) => byName.has(n),
    aliases: options.aliases ?? new Map(),
    headEqualsEmbedding: options.headEqualsEmbedding,
  });
  const entries: TensorPlanEntry[] = [];
  const skipped = [...embeddings.dropped];
  const warnings = [...embeddings.warnings];
  const mapped = converterOrder(tensors).map((t) => ({ t, m: lookupTensorName(spec, t.name) }));
  const unmapped = mapped.filter(({ m }) => m === undefined).map(({ t }) => t.name);
  if (unmapped.length > 0) fail("UNSUPPORTED_ARCH", { tensor: unmapped[0], detail: unmappedDetail(spec, unmapped) });
  const scales: string[] = [];
  for (const { t, m } of mapped) {
    if (m === undefined) continue;
    if (m.kind === "skipped") skipped.push({ name: t.name, reason: m.reason });
    else if (m.kind === "weight_scale") scales.push(t.name);
    else if (t.name === embeddings.tokenEmbd) entries.push(planEntry(spec, t, { ...m, gguf: TOKEN_EMBD, role: "embedding" }, byName, warnings));
    else if (t.name === embeddings.output) entries.push(planEntry(spec, t, { ...m, gguf: OUTPUT, role: "output" }, byName, warnings));
    else if (t.name !== EMBEDDING && t.name !== LM_HEAD) entries.push(planEntry(spec, t, m, byName, warnings));
  }
  const missing = requiredTensorNames(spec).filter((n) => !byName.has(n));
  if (missing.length > 0) {
    const shown = missing.slice(0, 8).map((n) => `'${n}'`).join(", ");
    fail("TENSOR_NOT_FOUND", {
      tensor: missing[0],
      detail: `${missing.length} tensor(s) that ${spec.hfArchitecture} with ${spec.layers} layers needs are missing: ${shown}${missing.length > 8 ? ", ..." : ""}`,
    });
  }
  const consumed = new Set(entries.flatMap((e) => (e.packed ? [e.packed.weightScale] : [])));
  for (const s of scales) if (!consumed.has(s)) warnings.push(`${s} is ignored: its weight is not an HF packed U8 tensor`);
  return { entries, skipped, warnings };
}

/** Total parameters of the written tensors (logical shapes), as gguf-py counts them for size_label. */
export function countParameters(entries: readonly TensorPlanEntry[]): number {
  return entries.reduce((sum, e) => sum + e.shape.reduce((n, d) => n * d, 1), 0);
}

/** The tensors grouped by shard (first-seen order), names sorted inside each shard. */
function converterOrder(tensors: readonly SourceTensor[]): SourceTensor[] {
  const groups = new Map<string | undefined, SourceTensor[]>();
  for (const t of tensors) {
    const group = groups.get(t.file);
    if (group) group.push(t);
    else groups.set(t.file, [t]);
  }
  return [...groups.values()].flatMap((g) => [...g].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
}

type TensorMapping = Extract<TensorNameMapping, { kind: "tensor" }>;

function planEntry(spec: ModelSpec, t: SourceTensor, m: TensorMapping, byName: ReadonlyMap<string, SourceTensor>, warnings: string[]): TensorPlanEntry {
  const denseBecause = m.role === "ternary" && spec.quantization ? denseModuleEntry(t.name, spec.quantization.modulesToNotConvert) : undefined;
  const role: TensorRole = denseBecause === undefined ? m.role : "other";
  const packed = role === "ternary" && t.dtype === PACKED_DTYPE ? packedSource(spec, t, m, byName) : undefined;
  if (!packed && !FLOAT_DTYPES.includes(t.dtype)) {
    fail("UNSUPPORTED_DTYPE", { tensor: t.name, detail: `${t.dtype} is not a float dtype (${FLOAT_DTYPES.join(", ")})${role === "ternary" ? "; only packed U8 projections of a quantization_mode offline checkpoint may be integers" : ""}` });
  }
  const storedShape = packed ? [Math.ceil(m.expectedShape[0]! / 4), ...m.expectedShape.slice(1)] : m.expectedShape;
  if (!sameShape(t.shape, storedShape)) {
    const how = packed ? `HF packed U8 [ceil(out/4), in] of ${m.shapeText} = [${m.expectedShape.join(", ")}]` : m.shapeText;
    fail("SHAPE_MISMATCH", { tensor: t.name, detail: `expected [${storedShape.join(", ")}] (${how}), got [${t.shape.join(", ")}]` });
  }
  if (role === "ternary" && !packed && spec.quantization?.weightScale.mode === "offline") {
    warnings.push(`${t.name} is stored as ${t.dtype}, not packed U8, although quantization_mode is offline: it is ternarised from these values`);
  }
  return {
    gguf: m.gguf,
    source: t.name,
    sources: packed ? [t.name, packed.weightScale] : [t.name],
    sourceDtype: t.dtype,
    sourceShape: [...t.shape],
    shape: m.expectedShape,
    dims: [...m.expectedShape].reverse(),
    role,
    layer: m.layer,
    keepF32: role === "norm" || m.expectedShape.length === 1,
    permute: m.permute,
    packed,
    denseBecause,
  };
}

function packedSource(spec: ModelSpec, t: SourceTensor, m: TensorMapping, byName: ReadonlyMap<string, SourceTensor>): HfPackedSource {
  const q = spec.quantization;
  if (q?.weightScale.mode !== "offline") {
    fail("UNSUPPORTED_DTYPE", {
      tensor: t.name,
      detail: `a U8 projection is an HF packed BitNet weight, which needs quantization_config with quantization_mode "offline"; config.json has ${q ? `quantization_mode "${q.weightScale.mode}"` : "no quantization_config"}`,
    });
  }
  const scaleName = weightScaleName(t.name);
  const scale = byName.get(scaleName) ?? fail("TENSOR_NOT_FOUND", { tensor: scaleName, detail: `the packed weight ${t.name} needs its weight_scale` });
  const elements = scale.shape.reduce((n, d) => n * d, 1);
  if (elements !== 1) fail("SHAPE_MISMATCH", { tensor: scaleName, detail: `expected one value (shape [1] or []), got [${scale.shape.join(", ")}]` });
  if (!FLOAT_DTYPES.includes(scale.dtype)) fail("UNSUPPORTED_DTYPE", { tensor: scaleName, detail: `${scale.dtype} is not a float dtype` });
  return { weightScale: scaleName, weightScaleDtype: scale.dtype, outFeatures: m.expectedShape[0]!, convention: q.weightScale.convention };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
