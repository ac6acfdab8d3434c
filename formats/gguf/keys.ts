/**
 * Well-known KV key names (gguf.md §7, §8). The value type llama.cpp expects is noted where it is
 * not STRING; llama.cpp checks types exactly, so write them as noted.
 */

export const GENERAL = {
  /** Required and written first. */
  ARCHITECTURE: "general.architecture",
  TYPE: "general.type",
  NAME: "general.name",
  AUTHOR: "general.author",
  VERSION: "general.version",
  ORGANIZATION: "general.organization",
  FINETUNE: "general.finetune",
  BASENAME: "general.basename",
  DESCRIPTION: "general.description",
  QUANTIZED_BY: "general.quantized_by",
  SIZE_LABEL: "general.size_label",
  LICENSE: "general.license",
  LICENSE_NAME: "general.license.name",
  LICENSE_LINK: "general.license.link",
  URL: "general.url",
  DOI: "general.doi",
  UUID: "general.uuid",
  REPO_URL: "general.repo_url",
  SOURCE_URL: "general.source.url",
  SOURCE_DOI: "general.source.doi",
  SOURCE_UUID: "general.source.uuid",
  SOURCE_REPO_URL: "general.source.repo_url",
  /** UINT32 */
  BASE_MODEL_COUNT: "general.base_model.count",
  /** UINT32 */
  DATASET_COUNT: "general.dataset.count",
  /** ARRAY of STRING */
  TAGS: "general.tags",
  /** ARRAY of STRING */
  LANGUAGES: "general.languages",
  /** UINT32, a llama_ftype (`LLAMA_FTYPE`) */
  FILE_TYPE: "general.file_type",
  /** UINT32, = GGML_QNT_VERSION */
  QUANTIZATION_VERSION: "general.quantization_version",
  /** UINT32, a power of two; optional, default 32 */
  ALIGNMENT: "general.alignment",
} as const;

/** Fields of `general.base_model.{id}.*` and `general.dataset.{id}.*` (all STRING). */
export type ProvenanceField =
  | "name" | "author" | "version" | "organization" | "description" | "url" | "doi" | "uuid" | "repo_url";

/** `general.base_model.0.name` and friends; `id` counts from 0. */
export function baseModelKey(id: number, field: ProvenanceField): string {
  return `general.base_model.${id}.${field}`;
}

export function datasetKey(id: number, field: ProvenanceField): string {
  return `general.dataset.${id}.${field}`;
}

/** Suffixes of `{arch}.*` keys; build the key with `archKey`. */
export const ARCH = {
  /** UINT32; required by llama.cpp (and by the Hub for its snippets) */
  CONTEXT_LENGTH: "context_length",
  /** UINT32 */
  EMBEDDING_LENGTH: "embedding_length",
  /** UINT32 */
  BLOCK_COUNT: "block_count",
  /** UINT32 */
  FEED_FORWARD_LENGTH: "feed_forward_length",
  /** UINT32 */
  HEAD_COUNT: "attention.head_count",
  /** UINT32 */
  HEAD_COUNT_KV: "attention.head_count_kv",
  /** FLOAT32 */
  LAYER_NORM_RMS_EPS: "attention.layer_norm_rms_epsilon",
  /** FLOAT32 */
  ROPE_FREQ_BASE: "rope.freq_base",
  /** UINT32 */
  ROPE_DIMENSION_COUNT: "rope.dimension_count",
  ROPE_SCALING_TYPE: "rope.scaling.type",
  /** FLOAT32 */
  ROPE_SCALING_FACTOR: "rope.scaling.factor",
  /** UINT32 */
  VOCAB_SIZE: "vocab_size",
  HIDDEN_ACTIVATION: "hidden_activation",
} as const;

export type ArchKeySuffix = (typeof ARCH)[keyof typeof ARCH];

/** `llama.context_length` from ("llama", ARCH.CONTEXT_LENGTH). */
export function archKey(arch: string, suffix: ArchKeySuffix): string {
  return `${arch}.${suffix}`;
}

export const TOKENIZER = {
  MODEL: "tokenizer.ggml.model",
  PRE: "tokenizer.ggml.pre",
  /** ARRAY of STRING */
  TOKENS: "tokenizer.ggml.tokens",
  /** ARRAY of FLOAT32 */
  SCORES: "tokenizer.ggml.scores",
  /** ARRAY of INT32 (`TOKEN_TYPE`) */
  TOKEN_TYPE: "tokenizer.ggml.token_type",
  /** ARRAY of STRING, "a b" */
  MERGES: "tokenizer.ggml.merges",
  /** UINT32 (the special ids below too) */
  BOS_ID: "tokenizer.ggml.bos_token_id",
  EOS_ID: "tokenizer.ggml.eos_token_id",
  UNK_ID: "tokenizer.ggml.unknown_token_id",
  PAD_ID: "tokenizer.ggml.padding_token_id",
  /** The misspelling is the real key. */
  SEP_ID: "tokenizer.ggml.seperator_token_id",
  EOT_ID: "tokenizer.ggml.eot_token_id",
  EOM_ID: "tokenizer.ggml.eom_token_id",
  /** BOOL */
  ADD_BOS: "tokenizer.ggml.add_bos_token",
  /** BOOL */
  ADD_EOS: "tokenizer.ggml.add_eos_token",
  /** BOOL, SPM only */
  ADD_SPACE_PREFIX: "tokenizer.ggml.add_space_prefix",
  CHAT_TEMPLATE: "tokenizer.chat_template",
} as const;

/** Values of `tokenizer.ggml.token_type`. */
export const TOKEN_TYPE = {
  UNDEFINED: 0,
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;

/** Split-file keys (gguf.md §8). */
export const SPLIT = {
  /** UINT16, 0-based shard index */
  NO: "split.no",
  /** UINT16 */
  COUNT: "split.count",
  /** INT32, tensors across all shards */
  TENSORS_COUNT: "split.tensors.count",
} as const;
