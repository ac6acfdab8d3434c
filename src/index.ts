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
export { resolveModelPath, locateModel, type ModelLocation } from "./hub/hf-cache.js";
export { verifyTensor, verifyPacked, assertVerified, type VerifyResult } from "./verify/index.js";
export { convert, planConversion, type ConvertOptions, type ConvertResult, type TensorReport } from "./api/convert.js";
export * from "./pipeline/index.js";
