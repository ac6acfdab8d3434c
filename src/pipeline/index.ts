/** The conversion pipeline: options, the header-only plan, the per-tensor steps, stages and the writer. */
export {
  resolveOptions,
  defaultWorkers,
  FILE_TYPE_OF,
  type ConvertOptions,
  type ResolvedOptions,
  type Target,
  type TernaryLayoutName,
  type KeepType,
  type FallbackType,
  type Method,
  type OutputFormat,
  type Cb158Resolved,
  type ImportanceSource,
} from "./options.js";
export type {
  BitsPerWeight,
  CodeSource,
  ConversionPlan,
  Fallback,
  PlannedCb158,
  PlannedShard,
  PlannedTensor,
  PlanTotals,
  ProgressEvent,
  TensorJob,
  TernaryCodes,
} from "./types.js";
export { chooseOutput, type OutputChoice } from "./choose-type.js";
export { openModelSource, headEqualsEmbedding, needsHeadComparison, type ModelSource, type OpenModelOptions } from "./source.js";
export { buildPlan, flavorOf, type PlanInputs } from "./plan.js";
export { conversionMetadata, tlKvs, cb158Kvs, type TlRecord, type Cb158Record } from "./metadata.js";
export { cb158QuantizeJob } from "./cb158-step.js";
export { cb158TensorReport, cb158Totals, type Cb158TensorReport, type Cb158Totals } from "./cb158-report.js";
export { loadImportance, attachImportance, FLAT_IMPORTANCE_WARNING, type LoadedImportance } from "./importance.js";
export { groupTensors, layoutShards, shardPaths, splitKvs } from "./shards.js";
export { mapJob, quantizeJob, packJob, verifyJob, processJob, jobReport, type VerifyStepOptions } from "./steps.js";
export {
  pipe,
  stage,
  orderedStage,
  readTensors,
  mapStage,
  quantizeStage,
  packStage,
  verifyStage,
  checkAborted,
  type Stage,
} from "./stages.js";
export { createProcessor, findWorkerScript, WORKER_SCRIPT, type Processor } from "./worker-pool.js";
export { writeGguf, type WriteOptions } from "./write.js";
export { writeContainer, GGUF_METADATA_FILE, CB158_GRID_CODEBOOK, CB158_LEARNED_CODEBOOK, type ContainerInputs, type ContainerWriteOptions, type ContainerWriteResult } from "./write-container.js";
export { conversionResult, type ConvertResult, type TensorReport } from "./report.js";
