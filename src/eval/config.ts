/**
 * The hyperparameters the reference forward pass needs, from a HF config (ModelSpec) or from a
 * GGUF's `{arch}.*` keys, plus the BitNet activation-quantization default.
 */
import { fail } from "../core/errors.js";
import { archKey, ARCH } from "../../formats/gguf/keys.js";
import type { GgufKv } from "../../formats/gguf/value-types.js";
import type { Activation, ModelSpec } from "../model/spec.js";

/** The model dimensions, named as in ModelSpec (whichever source they come from). */
type Dimensions = Pick<ModelSpec, "hidden" | "layers" | "heads" | "kvHeads" | "headDim" | "ffn" | "vocab" | "rmsEps" | "ropeTheta">;

export interface EvalConfig extends Dimensions {
  /** Linear RoPE scaling: positions are divided by this (1 = none). */
  ropeFactor: number;
  activation: Activation;
  /** attn_sub_norm before o_proj and ffn_sub_norm before down_proj (both BitNet families). */
  subNorms: boolean;
  /**
   * Whether the BitLinear projections see int8 per-token absmax fake-quantized inputs, as
   * transformers' BitNet layers do (default true for BitNet models, false for plain Llama).
   */
  bitnet: boolean;
}

/** From a parsed config.json. */
export function evalConfigFromSpec(spec: ModelSpec): EvalConfig {
  return {
    hidden: spec.hidden,
    layers: spec.layers,
    heads: spec.heads,
    kvHeads: spec.kvHeads,
    headDim: spec.headDim,
    ffn: spec.ffn,
    vocab: spec.vocab,
    rmsEps: spec.rmsEps,
    ropeTheta: spec.ropeTheta,
    ropeFactor: spec.ropeScaling?.factor ?? 1,
    activation: spec.activation,
    subNorms: spec.subNorms,
    bitnet: spec.family !== "llama" || spec.quantization !== undefined,
  };
}

const ARCHES = ["llama", "bitnet", "bitnet-b1.58", "bitnet-25"];

function kvNumber(kv: ReadonlyMap<string, GgufKv>, key: string, file: string, fallback?: number): number {
  const e = kv.get(key);
  if (e === undefined) return fallback ?? fail("INVALID_METADATA", { file, detail: `missing ${key}` });
  const v = typeof e.value === "bigint" ? Number(e.value) : e.value;
  if (typeof v !== "number" || !Number.isFinite(v)) fail("INVALID_METADATA", { file, detail: `${key} is not a number` });
  return v;
}

/**
 * From GGUF metadata. `vocab` is taken from token_embd's row count by the caller when the file
 * has no `{arch}.vocab_size`. relu² comes from arch bitnet-b1.58 / bitnet-25 or the advisory
 * `{arch}.hidden_activation = "relu2"` key ternpack writes.
 */
export function evalConfigFromGguf(kv: ReadonlyMap<string, GgufKv>, vocab: number, file: string): EvalConfig {
  const archKv = kv.get("general.architecture");
  const arch = archKv?.type === 8 ? archKv.value : undefined;
  if (typeof arch !== "string" || !ARCHES.includes(arch)) {
    fail("UNSUPPORTED_ARCH", { file, detail: `general.architecture ${JSON.stringify(arch)}; the evaluator runs ${ARCHES.join(", ")}` });
  }
  const n = (suffix: Parameters<typeof archKey>[1], fallback?: number) => kvNumber(kv, archKey(arch, suffix), file, fallback);
  const hidden = n(ARCH.EMBEDDING_LENGTH);
  const heads = n(ARCH.HEAD_COUNT);
  const act = kv.get(archKey(arch, ARCH.HIDDEN_ACTIVATION));
  const relu2 = arch === "bitnet-b1.58" || arch === "bitnet-25" || (act?.type === 8 && act.value === "relu2");
  const scalingType = kv.get(archKey(arch, ARCH.ROPE_SCALING_TYPE));
  const linear = scalingType?.type === 8 && scalingType.value === "linear";
  const isBitnet = arch !== "llama";
  return {
    hidden,
    layers: n(ARCH.BLOCK_COUNT),
    heads,
    kvHeads: n(ARCH.HEAD_COUNT_KV, heads),
    headDim: n(ARCH.ROPE_DIMENSION_COUNT, hidden / heads),
    ffn: n(ARCH.FEED_FORWARD_LENGTH),
    vocab: n(ARCH.VOCAB_SIZE, vocab),
    rmsEps: n(ARCH.LAYER_NORM_RMS_EPS),
    ropeTheta: n(ARCH.ROPE_FREQ_BASE, 10000),
    ropeFactor: linear ? n(ARCH.ROPE_SCALING_FACTOR, 1) : 1,
    activation: relu2 ? "relu2" : "silu",
    subNorms: isBitnet,
    bitnet: isBitnet,
  };
}
