/** ternpack's public API: named re-exports only. */
export { VERSION } from "./version.js";
export { TernpackError, ERROR_CODES, isTernpackError, type ErrorCode, type ErrorContext } from "./core/errors.js";
export { inspect, detectFormat, type InspectReport, type InspectTensor, type FileFormat } from "./api/inspect.js";
export { describeLayouts, type LayoutRow } from "./api/layouts.js";
export { packCodes, packFloats, unpackCodes, unpackFloats, packFile, unpackFile, resolveLayout } from "./api/raw-tensor.js";
export * from "../formats/safetensors/index.js";
export * from "../formats/gguf/index.js";
export { getLayout, listLayouts, bitsPerWeight, type Layout, type LayoutParams, type TernaryTensor, type TlParams } from "../formats/layouts/index.js";
export { resolveTlParams, TL_PRESETS } from "../formats/layouts/tl-presets.js";
export * from "./quant/index.js";
export { getKernel, denseGemv, quantizeActivations } from "../kernels/index.js";
export { verifyGguf, type VerifyGgufReport } from "./api/verify-gguf.js";
export {
  openContainer,
  createContainerWriter,
  parseManifest,
  manifestSchema,
  hasContainerMagic,
  CONTAINER_VERSION,
  type ContainerFile,
  type ContainerManifest,
  type ContainerTensorEntry,
  type ContainerFileEntry,
  type ContainerWriter,
  type ContainerTensorDecl,
  type ContainerWriterOptions,
} from "../formats/container/index.js";
export { verifyContainer, type VerifyContainerOptions, type VerifyContainerReport, type ContainerTensorResult } from "./api/verify-container.js";
export { exportContainer, type ExportContainerOptions, type ExportContainerResult } from "./api/export-container.js";
export { isContainerFile } from "./api/container-file.js";
export { dequantizeContainerTensor } from "./api/container-tensors.js";
export { readContainerMetadata } from "./api/container-metadata.js";
export { resolveModelPath, locateModel, type ModelLocation } from "./hub/hf-cache.js";
export { prepublish, type PrepublishOptions, type PrepublishResult, type PublishedFile, type PlannedOperation } from "./api/prepublish.js";
export { FILE_KINDS, validateFile, type FileValidator, type ValidatedFile, type ModelFacts, type FileCheck } from "./hub/validated-file.js";
export { readModelCard, writeModelCard, mergeFrontMatter, type ModelCardText, type FrontMatterEntry, type FrontMatterValue } from "./hub/front-matter.js";
export { verifyTensor, verifyPacked, assertVerified, type VerifyResult } from "./verify/index.js";
export { convert, planConversion, type ConvertOptions, type ConvertResult, type TensorReport } from "./api/convert.js";
export * from "./pipeline/index.js";
export { evaluate } from "./api/evaluate.js";
export { collectImatrix } from "./api/calibrate.js";
export { readImatrix, writeGgufImatrix, ImatrixCollector, type ImportanceMatrix } from "./quant/imatrix/index.js";
