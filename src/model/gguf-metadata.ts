/**
 * The GGUF KVs of a model, in convert_hf_to_gguf.py's order (gguf.md §9): general.architecture,
 * general.type, provenance, the base hyperparameters, general.file_type, the architecture's extras,
 * then the caller's tokenizer KVs, and general.quantization_version last. Value types are the ones
 * llama.cpp checks exactly: UINT32 counts, FLOAT32 epsilon and frequencies, STRING names.
 */
import { fail } from "../core/errors.js";
import { GGML_QNT_VERSION } from "../../formats/gguf/constants.js";
import { ARCH, archKey, GENERAL, type ArchKeySuffix } from "../../formats/gguf/keys.js";
import { GGUF_VALUE_TYPE as T } from "../../formats/gguf/value-types.js";
import type { MetadataKv } from "./metadata-kv.js";
import { provenanceKvs, type Provenance } from "./provenance.js";
import { sizeLabel } from "./size-label.js";
import { ggufArchitecture, type GgufArch, type ModelSpec, type Runtime } from "./spec.js";

/** llama.cpp's head-size keys (LLM_KV_ATTENTION_KEY_LENGTH / VALUE_LENGTH), needed when head_dim ≠ hidden/heads. */
export const KEY_LENGTH = "attention.key_length";
export const VALUE_LENGTH = "attention.value_length";

export interface GgufMetadataOptions extends Provenance {
  /** Chooses the architecture (`bitnet-b1.58` for 2B-4T on bitnet.cpp). */
  runtime: Runtime;
  /** general.file_type: the llama_ftype of the chosen layout (LLAMA_FTYPE in formats/gguf/ftype.ts). */
  fileType: number;
  /** Parameters of the written tensors (countParameters of the plan), for general.size_label. */
  parameterCount: number;
  /** tokenizer.* KVs (the tokenizer room's output), placed before general.quantization_version. */
  tokenizer?: readonly MetadataKv[];
  /**
   * Write `{arch}.hidden_activation = "relu2"` for relu² models (default true). No loader reads it
   * for bitnet archs and it is ignored otherwise; it documents what the FFN should compute (models.md §7).
   */
  hiddenActivationKey?: boolean;
}

export function ggufMetadata(spec: ModelSpec, options: GgufMetadataOptions): MetadataKv[] {
  const arch = ggufArchitecture(spec, options.runtime);
  const kvs: MetadataKv[] = [
    { key: GENERAL.ARCHITECTURE, type: T.STRING, value: arch },
    { key: GENERAL.TYPE, type: T.STRING, value: "model" },
    ...provenanceKvs(options, sizeLabel(options.parameterCount)),
    ...hyperparameterKvs(spec, arch),
    { key: GENERAL.FILE_TYPE, type: T.UINT32, value: options.fileType },
    ...architectureExtras(spec, arch, options.hiddenActivationKey ?? true),
    ...(options.tokenizer ?? []),
    { key: GENERAL.QUANTIZATION_VERSION, type: T.UINT32, value: GGML_QNT_VERSION },
  ];
  const seen = new Set<string>();
  for (const kv of kvs) {
    if (seen.has(kv.key)) fail("DUPLICATE_KEY", { tensor: kv.key, detail: "the tokenizer KVs repeat a key the model metadata already has" });
    seen.add(kv.key);
  }
  return kvs;
}

const u32 = (arch: GgufArch, suffix: string, value: number): MetadataKv => ({ key: `${arch}.${suffix}`, type: T.UINT32, value });
const f32 = (arch: GgufArch, suffix: ArchKeySuffix, value: number): MetadataKv => ({ key: archKey(arch, suffix), type: T.FLOAT32, value });
const str = (arch: GgufArch, suffix: ArchKeySuffix, value: string): MetadataKv => ({ key: archKey(arch, suffix), type: T.STRING, value });

/** The base class's parameters (gguf-py `ModelBase.set_gguf_parameters` order). */
function hyperparameterKvs(spec: ModelSpec, arch: GgufArch): MetadataKv[] {
  const kvs = [
    u32(arch, ARCH.BLOCK_COUNT, spec.layers),
    u32(arch, ARCH.CONTEXT_LENGTH, spec.contextLength),
    u32(arch, ARCH.EMBEDDING_LENGTH, spec.hidden),
    u32(arch, ARCH.FEED_FORWARD_LENGTH, spec.ffn),
    u32(arch, ARCH.HEAD_COUNT, spec.heads),
    u32(arch, ARCH.HEAD_COUNT_KV, spec.kvHeads),
    f32(arch, ARCH.ROPE_FREQ_BASE, spec.ropeTheta),
    f32(arch, ARCH.LAYER_NORM_RMS_EPS, spec.rmsEps),
  ];
  // llama.cpp assumes head size = n_embd / n_head unless told otherwise.
  if (spec.headDim * spec.heads !== spec.hidden) kvs.push(u32(arch, KEY_LENGTH, spec.headDim), u32(arch, VALUE_LENGTH, spec.headDim));
  return kvs;
}

/**
 * What each architecture's converter class adds after general.file_type: llama (LlamaModel)
 * vocab_size, rope.dimension_count and linear rope scaling; bitnet (both converters' BitnetModel)
 * rope.scaling linear / factor (1.0 unless the config scales); bitnet-b1.58 vocab_size and
 * rope.dimension_count (models.md §6).
 */
function architectureExtras(spec: ModelSpec, arch: GgufArch, activationKey: boolean): MetadataKv[] {
  const kvs: MetadataKv[] = [];
  if (arch !== "bitnet") kvs.push(u32(arch, ARCH.VOCAB_SIZE, spec.vocab), u32(arch, ARCH.ROPE_DIMENSION_COUNT, spec.headDim));
  const factor = spec.ropeScaling?.factor ?? (arch === "bitnet" ? 1 : undefined);
  if (factor !== undefined) kvs.push(str(arch, ARCH.ROPE_SCALING_TYPE, "linear"), f32(arch, ARCH.ROPE_SCALING_FACTOR, factor));
  if (activationKey && spec.activation === "relu2") kvs.push(str(arch, ARCH.HIDDEN_ACTIVATION, "relu2"));
  return kvs;
}
