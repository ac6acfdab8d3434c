/**
 * The config.json fields ternpack reads, as one zod schema shared by the Llama and BitNet
 * architectures (they are all Llama-shaped). Defaults that depend on the architecture class are
 * applied later (`config.ts`), so absent optional fields stay undefined here.
 */
import { z } from "zod";
import { flag, oneOf, optional, positiveInt, positiveNumber, section, text, textList, tokenId, tokenIds } from "./config-fields.js";

/** `rope_scaling`, or the scaling part of transformers 5's `rope_parameters`. */
const ropeFields = {
  type: optional(text),
  rope_type: optional(text),
  factor: optional(positiveNumber),
};

export const quantizationConfigSchema = section({
  quant_method: text,
  /** linear_class / quantization_mode are checked by weightScaleConvention (src/quant). */
  linear_class: optional(text),
  quantization_mode: optional(text),
  modules_to_not_convert: optional(textList),
  use_rms_norm: optional(flag),
});

const nonEmpty = { error: () => "expected a non-empty list of strings" };
const architectures = z.array(text, nonEmpty).min(1, nonEmpty);

/** Just `architectures`, checked before anything else so an unknown model fails as UNSUPPORTED_ARCH. */
export const architectureSchema = section({ architectures });

export const configSchema = section({
  architectures,
  model_type: optional(text),
  hidden_size: positiveInt,
  intermediate_size: positiveInt,
  num_hidden_layers: positiveInt,
  num_attention_heads: positiveInt,
  num_key_value_heads: optional(positiveInt),
  head_dim: optional(positiveInt),
  vocab_size: positiveInt,
  max_position_embeddings: positiveInt,
  rms_norm_eps: optional(positiveNumber),
  rope_theta: optional(positiveNumber),
  rope_parameters: optional(section({ rope_theta: optional(positiveNumber), ...ropeFields })),
  rope_scaling: optional(section(ropeFields)),
  tie_word_embeddings: optional(flag),
  hidden_act: optional(oneOf(["silu", "swish", "relu2"])),
  bos_token_id: optional(tokenId),
  eos_token_id: optional(tokenIds),
  sliding_window: optional(positiveInt),
  attention_bias: optional(flag),
  mlp_bias: optional(flag),
  torch_dtype: optional(text),
  dtype: optional(text),
  quantization_config: optional(quantizationConfigSchema),
});

export type RawConfig = z.output<typeof configSchema>;
