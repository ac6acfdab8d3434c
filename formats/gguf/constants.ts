/**
 * GGUF container constants (gguf.md §1, §3, §5, §6) plus re-exports of the tables kept in their
 * own files: value types, ggml types, llama_ftype values and well-known keys.
 */

/** "GGUF" read as a little-endian u32. */
export const GGUF_MAGIC = 0x46554747;
/** The only version ternpack writes (and reads by default). */
export const GGUF_VERSION = 3;
/** Used when `general.alignment` is absent. */
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** GGML_MAX_NAME counts the NUL terminator, so names hold at most 63 bytes. */
export const GGML_MAX_NAME_BYTES = 63;
/** Value of `general.quantization_version` for every quantized file. */
export const GGML_QNT_VERSION = 2;

export * from "./value-types.js";
export * from "./ggml-types.js";
export * from "./ftype.js";
export * from "./keys.js";
export { GGML_MAX_DIMS, ggmlTensorBytes } from "./tensor-bytes.js";
