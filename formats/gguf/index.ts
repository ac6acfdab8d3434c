/** Public API of the GGUF format room: constants, reader, writer. */
export * from "./constants.js";
export { alignUp, isPowerOfTwo } from "./align.js";
export { checkGgmlDims } from "./tensor-bytes.js";
export { BITNET_CPP_ARCHITECTURES, type FlavorOption } from "./flavor.js";
export { MAX_ARRAY_LENGTH, MAX_KV_COUNT, MAX_STRING_BYTES, MAX_TENSOR_COUNT } from "./limits.js";
export type { GgufTensorInfo } from "./tensor-table.js";
export type { GgufFile, ReadGgufOptions } from "./parse.js";
export { parseGguf } from "./parse.js";
export { findTensor, readGguf, readTensorData } from "./reader.js";
export { parseShardName, readGgufShard, shardSetPaths, shardSuffix, type ShardName } from "./split-set.js";
export {
  createGgufWriter,
  GgufWriter,
  type GgufLayout,
  type GgufWriterOptions,
  type GgufWriterState,
  type GgufTensorSlot,
} from "./writer.js";
export { writeGgufFile, type GgufFileContent, type GgufTensorInput } from "./write-file.js";
