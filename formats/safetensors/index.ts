/** safetensors: header validation, lazy reader, sharded checkpoints, writer (see SPEC.md). */
export { DTYPE_BITS, DTYPES, dtypeBits, dtypeOrder, isSafetensorsDtype, type SafetensorsDtype } from "./dtypes.js";
export { DEFAULT_LIMITS, MAX_HEADER_BYTES, type SafetensorsLimits } from "./limits.js";
export type { ParsedHeader, TensorInfo } from "./types.js";
export { readSafetensorsHeader } from "./header.js";
export type { IntegerArray } from "./decode.js";
export type { TensorAccess } from "./tensor-access.js";
export { openSafetensors, type OpenSafetensorsOptions, type SafetensorsFile } from "./reader.js";
export {
  openCheckpoint,
  SINGLE_FILE_NAME,
  type Checkpoint,
  type CheckpointTensorInfo,
  type OpenCheckpointOptions,
} from "./checkpoint.js";
export { INDEX_FILE_NAME } from "./index-file.js";
export { serializeSafetensors, writeSafetensors, type SafetensorsMetadata, type TensorToWrite } from "./writer.js";
