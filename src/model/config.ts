/**
 * config.json → ModelSpec. The architecture is checked first (UNSUPPORTED_ARCH lists the supported
 * ones), then every field with zod (INVALID_CONFIG names the field, the expectation and the value),
 * then the cross-field rules. Absent optional fields take the defaults of the transformers config
 * class of that architecture, and are listed in `spec.defaulted`.
 */
import { fail, isTernpackError } from "../core/errors.js";
import { describeWeightScaleConvention, weightScaleConvention, type WeightScaleConvention } from "../quant/weight-scale.js";
import { badField, parseOrFail } from "./config-fields.js";
import { architectureSchema, configSchema, type RawConfig } from "./config-schema.js";
import { resolveRope } from "./config-rope.js";
import {
  SUPPORTED_ARCHITECTURES,
  type Activation,
  type BitnetQuantization,
  type GgufArch,
  type HfArchitecture,
  type ModelFamily,
  type ModelSpec,
} from "./spec.js";

export interface ParseConfigOptions {
  /** Name used in messages (default "config.json"). */
  file?: string;
}

/** What an architecture class implies: its family, GGUF arch and transformers' defaults. */
interface ArchitectureClass {
  family: ModelFamily;
  arch: GgufArch;
  rmsEps: number;
  ropeTheta: number;
  activation: Activation;
  /** MistralConfig defaults sliding_window to 4096; the others have none. */
  slidingWindow?: number;
}

const LLAMA: ArchitectureClass = { family: "llama", arch: "llama", rmsEps: 1e-6, ropeTheta: 10000, activation: "silu" };

const CLASSES: Record<HfArchitecture, ArchitectureClass> = {
  LlamaForCausalLM: LLAMA,
  MistralForCausalLM: { ...LLAMA, slidingWindow: 4096 },
  // 1bitLLM's remote-code BitnetConfig is a copy of LlamaConfig.
  BitnetForCausalLM: { ...LLAMA, family: "bitnet-1bitllm", arch: "bitnet" },
  BitNetForCausalLM: { family: "bitnet-2b4t", arch: "bitnet", rmsEps: 1e-5, ropeTheta: 500000, activation: "relu2" },
};

function isSupported(name: string): name is HfArchitecture {
  return (SUPPORTED_ARCHITECTURES as readonly string[]).includes(name);
}

/** Parses config.json text. */
export function parseModelConfigText(json: string, options: ParseConfigOptions = {}): ModelSpec {
  const file = options.file ?? "config.json";
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (cause) {
    return fail("INVALID_CONFIG", { detail: `${file}: not valid JSON (${(cause as Error).message})`, cause });
  }
  return parseModelConfig(raw, options);
}

/** Parses a config.json object into a ModelSpec. */
export function parseModelConfig(raw: unknown, options: ParseConfigOptions = {}): ModelSpec {
  const file = options.file ?? "config.json";
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return fail("INVALID_CONFIG", { detail: `${file}: expected a JSON object, got ${raw === null ? "null" : Array.isArray(raw) ? "an array" : typeof raw}` });
  }
  const hfArchitecture = parseOrFail(architectureSchema, raw, file).architectures[0]!;
  if (!isSupported(hfArchitecture)) {
    return fail("UNSUPPORTED_ARCH", {
      detail: `${file}: architectures[0] is ${JSON.stringify(hfArchitecture)}; supported: ${SUPPORTED_ARCHITECTURES.join(", ")}`,
    });
  }
  return normalise(parseOrFail(configSchema, raw, file), hfArchitecture, file);
}

function normalise(c: RawConfig, hfArchitecture: HfArchitecture, file: string): ModelSpec {
  const cls = CLASSES[hfArchitecture];
  const defaulted: string[] = [];
  const notes: string[] = [];
  const orDefault = <T>(field: string, value: T | null | undefined, fallback: T): T => {
    if (value !== undefined && value !== null) return value;
    defaulted.push(field);
    return fallback;
  };

  for (const field of ["attention_bias", "mlp_bias"] as const) {
    if (c[field] === true) badField(file, field, "true is not supported (ternpack maps weight tensors only, no biases)");
  }
  const heads = c.num_attention_heads;
  const kvHeads = orDefault("num_key_value_heads", c.num_key_value_heads, heads);
  if (heads % kvHeads !== 0) badField(file, "num_key_value_heads", `${kvHeads} does not divide num_attention_heads ${heads}`);
  const headDim = c.head_dim ?? c.hidden_size / heads;
  if (!Number.isInteger(headDim)) {
    badField(file, "hidden_size", `${c.hidden_size} is not a multiple of num_attention_heads ${heads} (and no head_dim is given)`);
  }
  if (headDim % 2 !== 0) badField(file, c.head_dim == null ? "hidden_size" : "head_dim", `the head dimension ${headDim} must be even for RoPE`);

  const rope = resolveRope(c, cls.ropeTheta, file);
  if (rope.thetaDefaulted) defaulted.push("rope_theta");
  const activation: Activation = c.hidden_act === "relu2" ? "relu2" : c.hidden_act == null ? cls.activation : "silu";
  if (c.hidden_act == null) defaulted.push("hidden_act");
  const slidingWindow = c.sliding_window === undefined ? cls.slidingWindow : (c.sliding_window ?? undefined);
  if (c.sliding_window === undefined && cls.slidingWindow !== undefined) defaulted.push("sliding_window");

  const quantization = readQuantization(c, file);
  if (quantization) notes.push(`weight_scale convention: ${describeWeightScaleConvention(quantization.weightScale)}`);
  else if (cls.family === "bitnet-2b4t") {
    notes.push("no quantization_config: the projections are read as float masters and ternarised at conversion");
  }

  const eos = c.eos_token_id;
  return {
    hfArchitecture,
    family: cls.family,
    arch: cls.arch,
    modelType: c.model_type ?? undefined,
    hidden: c.hidden_size,
    layers: c.num_hidden_layers,
    heads,
    kvHeads,
    headDim,
    ffn: c.intermediate_size,
    vocab: c.vocab_size,
    rmsEps: orDefault("rms_norm_eps", c.rms_norm_eps, cls.rmsEps),
    ropeTheta: rope.theta,
    ropeScaling: rope.scaling,
    contextLength: c.max_position_embeddings,
    tieWordEmbeddings: orDefault("tie_word_embeddings", c.tie_word_embeddings, false),
    activation,
    bosTokenId: c.bos_token_id ?? undefined,
    eosTokenIds: eos == null ? [] : typeof eos === "number" ? [eos] : eos,
    slidingWindow,
    dtype: c.torch_dtype ?? c.dtype ?? undefined,
    subNorms: cls.family !== "llama",
    quantization,
    defaulted,
    notes,
  };
}

/** The BitNet quantization_config, or undefined when there is none. */
function readQuantization(c: RawConfig, file: string): BitnetQuantization | undefined {
  const qc = c.quantization_config;
  if (qc == null) return undefined;
  if (qc.quant_method !== "bitnet") {
    badField(file, "quantization_config.quant_method", `expected "bitnet" (the only quantized format ternpack reads), got ${JSON.stringify(qc.quant_method)}`);
  }
  if (qc.use_rms_norm === true) {
    badField(file, "quantization_config.use_rms_norm", "true (an RMSNorm inside every BitLinear) has no counterpart in the llama/bitnet GGUF graphs");
  }
  const listed = qc.modules_to_not_convert ?? [];
  return { weightScale: conventionOf(c, file), modulesToNotConvert: listed.includes("lm_head") ? listed : [...listed, "lm_head"] };
}

/** linear_class / quantization_mode, read by the quantizer's own rule; its errors gain the file name. */
function conventionOf(c: RawConfig, file: string): WeightScaleConvention {
  try {
    return weightScaleConvention(c as Record<string, unknown>);
  } catch (e) {
    if (isTernpackError(e, "INVALID_CONFIG")) fail("INVALID_CONFIG", { detail: `${file}: ${e.detail}`, cause: e });
    throw e;
  }
}
