/** Model knowledge: config.json → ModelSpec, HF → GGUF tensor plan, GGUF metadata, runtime caveats. */
export {
  SUPPORTED_ARCHITECTURES,
  ggufArchitecture,
  type Activation,
  type BitnetQuantization,
  type GgufArch,
  type HfArchitecture,
  type ModelFamily,
  type ModelSpec,
  type RopeScaling,
  type Runtime,
} from "./spec.js";
export { parseModelConfig, parseModelConfigText, type ParseConfigOptions } from "./config.js";
export {
  EMBEDDING,
  LM_HEAD,
  OUTPUT,
  TOKEN_EMBD,
  lookupTensorName,
  mapTensorName,
  requiredTensorNames,
  weightScaleName,
  type TensorNameMapping,
  type TensorRole,
} from "./tensor-names.js";
export {
  countParameters,
  planTensors,
  type HfPackedSource,
  type PlanOptions,
  type SourceTensor,
  type TensorPlan,
  type TensorPlanEntry,
} from "./tensor-map.js";
export { chooseEmbeddings, type EmbeddingChoice, type EmbeddingFacts } from "./embeddings.js";
export { denseModuleEntry, moduleOf } from "./dense-modules.js";
export { permuteQkRows, qkRowOrder, type QkPermutation, type RowArray } from "./permute.js";
export { ggufMetadata, KEY_LENGTH, VALUE_LENGTH, type GgufMetadataOptions } from "./gguf-metadata.js";
export { baseModelFromRepoId, idToTitle, provenanceKvs, type BaseModelInfo, type Provenance } from "./provenance.js";
export type { MetadataKv } from "./metadata-kv.js";
export { pythonFixed, sizeLabel } from "./size-label.js";
export { runtimeWarnings } from "./runtime-warnings.js";
