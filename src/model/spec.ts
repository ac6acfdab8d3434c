/**
 * ModelSpec: one normalised view of a Hugging Face config.json for every architecture ternpack
 * converts (models.md §1), and the GGUF architecture each runtime expects for it.
 */
import type { WeightScaleConvention } from "../quant/weight-scale.js";

/** HF `architectures[0]` values ternpack accepts. */
export const SUPPORTED_ARCHITECTURES = [
  "LlamaForCausalLM",
  "MistralForCausalLM",
  "BitnetForCausalLM",
  "BitNetForCausalLM",
] as const;

export type HfArchitecture = (typeof SUPPORTED_ARCHITECTURES)[number];

/**
 * - `llama`: plain Llama/Mistral, also Llama checkpoints carrying a BitNet quantization_config
 *   (HF1BitLLM Llama3-8B-1.58, Falcon3-1.58bit).
 * - `bitnet-1bitllm`: 1bitLLM `BitnetForCausalLM` (lower-case n), sub-norms `inner_attn_ln` / `ffn_layernorm`.
 * - `bitnet-2b4t`: microsoft `BitNetForCausalLM` (capital N), sub-norms `attn_sub_norm` / `ffn_sub_norm`.
 */
export type ModelFamily = "llama" | "bitnet-1bitllm" | "bitnet-2b4t";

/** GGUF `general.architecture` values ternpack writes. */
export type GgufArch = "llama" | "bitnet" | "bitnet-b1.58";

/** The runtime a file is meant for (models.md §8). */
export type Runtime = "llama.cpp" | "bitnet.cpp";

/** FFN activation of the gated MLP: SiLU(gate)·up, or relu(gate)²·up (2B-4T). */
export type Activation = "silu" | "relu2";

export interface RopeScaling {
  type: "linear";
  factor: number;
}

/** A BitNet `quantization_config` (transformers `BitNetQuantConfig`). */
export interface BitnetQuantization {
  /** linear_class, quantization_mode and the weight_scale rule they imply (src/quant/weight-scale.ts). */
  weightScale: WeightScaleConvention;
  /** Modules kept dense: the config's list plus `lm_head`, which transformers always adds. */
  modulesToNotConvert: readonly string[];
}

export interface ModelSpec {
  hfArchitecture: HfArchitecture;
  family: ModelFamily;
  /** The GGUF arch upstream llama.cpp uses; see `ggufArchitecture` for bitnet.cpp. */
  arch: GgufArch;
  modelType: string | undefined;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ffn: number;
  vocab: number;
  rmsEps: number;
  /** From `rope_theta`, else transformers 5's `rope_parameters.rope_theta`, else the class default. */
  ropeTheta: number;
  ropeScaling: RopeScaling | undefined;
  /** max_position_embeddings */
  contextLength: number;
  tieWordEmbeddings: boolean;
  activation: Activation;
  bosTokenId: number | undefined;
  /** `eos_token_id` as a list (Llama-3.1 configs give several). */
  eosTokenIds: readonly number[];
  /** Mistral's `sliding_window`, when set (no GGUF graph here implements it). */
  slidingWindow: number | undefined;
  /** `torch_dtype`, or transformers 5's `dtype`. */
  dtype: string | undefined;
  /** Whether the blocks carry attn_sub_norm / ffn_sub_norm (both BitNet families). */
  subNorms: boolean;
  quantization: BitnetQuantization | undefined;
  /** Config fields that were absent and took the architecture class's default value. */
  defaulted: readonly string[];
  /** Facts a converter should print (defaults that change the math, ignored fields). */
  notes: readonly string[];
}

/** The GGUF architecture to write for `spec` when the file is meant for `runtime` (models.md §1, §4.5). */
export function ggufArchitecture(spec: ModelSpec, runtime: Runtime): GgufArch {
  if (spec.family === "bitnet-2b4t" && runtime === "bitnet.cpp") return "bitnet-b1.58";
  return spec.arch;
}
